// Replica pins through the real proxy, in front of two stand-in replicas: a browser stays on one
// for every request and its WebSocket, the app never sees the pin nor can set it, and a pin to a
// replica that left the route moves the browser to a live one.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { type RouteEntry, writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { replicaPinCookieName } from '../../src/routing/replica-pin';
import { send, waitForOpen } from './client';
import { startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let proxy: RunningProxy;
let first: TestUpstream;
let second: TestUpstream;
const appId = randomUUID();
const host = 'pair.localhost';

function routeTo(replicas: TestUpstream[]): Promise<void> {
  const [primary] = replicas;
  const entry: RouteEntry = {
    appId,
    appName: 'pair',
    status: 'running',
    ...(primary ? { upstream: { host: '127.0.0.1', port: primary.port } } : {}),
    replicas: replicas.map((replica) => ({
      id: `replica-${replica.name}`,
      host: '127.0.0.1',
      port: replica.port,
      node: 'host-a',
    })),
  };
  return writeRoute(context.redis, context.instance, entry);
}

function pinOf(setCookie: string | string[] | undefined): string | null {
  const values = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  return values.find((value) => value.startsWith(`${replicaPinCookieName}=`))?.split(';')[0] ?? null;
}

beforeAll(async () => {
  context = await createTestContext();
  const config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
  });
  [first, second] = await Promise.all([startUpstream('first'), startUpstream('second')]);
  await routeTo([first, second]);
  proxy = await startProxy(config, createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent'));
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([first?.close(), second?.close()]);
  await context?.close();
});

test('every request and the WebSocket of a pinned browser reach its replica; the app never sees or sets the pin', async () => {
  const page = await send(proxy.port, host, '/');
  const pin = pinOf(page.headers['set-cookie']);
  expect(pin).not.toBeNull();
  const setCookie = [page.headers['set-cookie']]
    .flat()
    .find((value) => value?.startsWith(replicaPinCookieName));
  expect(setCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
  const pinnedTo = JSON.parse(page.body).upstream;
  const cookie = `theme=dark; ${pin}`;

  for (let index = 0; index < 10; index += 1) {
    const answer = await send(proxy.port, host, `/page/${index}`, { headers: { cookie } });
    const seen = JSON.parse(answer.body);
    expect(seen.upstream).toBe(pinnedTo);
    expect(seen.headers.cookie).toBe('theme=dark');
    // A valid pin is not written again.
    expect(answer.headers['set-cookie']).toBeUndefined();
  }
  const fromApp = await send(proxy.port, host, '/set-cookies', { headers: { cookie } });
  expect(fromApp.body).toBe(pinnedTo);
  expect(fromApp.headers['set-cookie']).toEqual(['own=1; Path=/']);

  const pinned = pinnedTo === 'first' ? first : second;
  const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, { headers: { host, cookie } });
  await waitForOpen(socket);
  expect(pinned.webSocketCount()).toBe(1);
  expect(pinned.upgradeHeaders.at(-1)?.cookie).toBe('theme=dark');
  socket.close();
});

test('a forged pin, or one to a replica that left the route, moves the browser to a live replica', async () => {
  const forged = await send(proxy.port, host, '/', {
    headers: { cookie: `${replicaPinCookieName}=replica-first.${Math.floor(Date.now() / 1000)}.forged` },
  });
  expect(pinOf(forged.headers['set-cookie'])).not.toBeNull();

  const page = await send(proxy.port, host, '/');
  const cookie = pinOf(page.headers['set-cookie']) ?? '';
  const pinnedTo: string = JSON.parse(page.body).upstream;
  const other = pinnedTo === 'first' ? second : first;
  await routeTo([other]);
  const moved = await waitFor(
    async () => {
      const answer = await send(proxy.port, host, '/', { headers: { cookie } });
      return JSON.parse(answer.body).upstream === other.name ? answer : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 25, description: 'the browser to reach the live replica' },
  );
  expect(pinOf(moved.headers['set-cookie'])).toMatch(
    new RegExp(`^${replicaPinCookieName}=replica-${other.name}\\.`),
  );
});
