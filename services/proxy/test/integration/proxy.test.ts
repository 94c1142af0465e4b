import { randomUUID } from 'node:crypto';
import { parseConfig } from '@cove/shared/config/load';
import { type ProxyConfig, proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { writeNameRedirect } from '@cove/shared/routing/name-redirects';
import { type RouteEntry, removeRoute, routeKeys, writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { routeSubscriberName } from '../../src/routing/route-cache';
import {
  browserAccept,
  closeEvent,
  nextMessage,
  openWebSocket,
  refusedUpgradeStatus,
  send,
  startRequest,
  waitForOpen,
} from './client';
import { closedPort, startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let config: ProxyConfig;
let proxy: RunningProxy;
let first: TestUpstream;
let second: TestUpstream;
const logger = createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  context = await createTestContext();
  config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
    COVE_APPS_PUBLIC_PORT: '4080',
  });
  [first, second] = await Promise.all([startUpstream('first'), startUpstream('second')]);
  // Written before the proxy starts: it must load existing routes, not only hear changes.
  await route('hello', { status: 'running', upstream: { host: '127.0.0.1', port: first.port } });
  proxy = await startProxy(config, logger);
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([first?.close(), second?.close()]);
  await context?.close();
});

function route(appName: string, entry: Omit<RouteEntry, 'appId' | 'appName'>): Promise<void> {
  return writeRoute(context.redis, context.instance, { appId: randomUUID(), appName, ...entry });
}

/** Polls until the proxy answers the host with the expected status (routes arrive over pub/sub). */
function waitForStatus(host: string, status: number, options: { accept?: string } = {}) {
  return waitFor(
    async () => {
      const response = await send(proxy.port, host, '/', options);
      return response.status === status ? response : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 25, description: `${host} to answer ${status}` },
  );
}

describe('HTTP', () => {
  it('routes by Host, keeps the Host header and adds X-Forwarded-*', async () => {
    const response = await send(proxy.port, 'hello.localhost:8080', '/some/path?q=1', {
      method: 'POST',
      body: 'a body streamed through',
      headers: { 'content-type': 'application/json', 'x-streamlit-user': 'spoofed' },
    });
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body);
    expect(seen).toMatchObject({ upstream: 'first', method: 'POST', url: '/some/path?q=1' });
    expect(seen.body).toBe('a body streamed through');
    expect(seen.headers.host).toBe('hello.localhost:8080');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-host']).toBe('hello.localhost:8080');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-port']).toBe('8080');
    expect(seen.headers['x-streamlit-user']).toBeUndefined();
  });

  it('answers an unknown name with a 404 page linking to the dashboard, or JSON', async () => {
    const page = await send(proxy.port, 'nope.localhost', '/', { accept: browserAccept });
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('There is no app called nope here');
    expect(page.body).toContain(`href="${config.COVE_DASHBOARD_URL}"`);

    const json = await send(proxy.port, 'nope.localhost', '/api', { accept: 'application/json' });
    expect(json.status).toBe(404);
    expect(JSON.parse(json.body)).toEqual({
      error: { code: 'app_not_found', message: 'There is no app called nope here.' },
    });

    const bare = await send(proxy.port, 'localhost', '/', { accept: browserAccept });
    expect(bare.status).toBe(404);
    expect(bare.body).toContain('There is no app at this address');
  });

  it('answers an app without a running upstream with a 503 page naming its status', async () => {
    await route('pending', { status: 'building' });
    const building = await waitForStatus('pending.localhost', 503, { accept: browserAccept });
    expect(building.body).toContain(
      'pending is being deployed. This page turns into the app as soon as it is live.',
    );
    expect(building.body).toContain('http-equiv="refresh"');

    await route('pending', { status: 'crashed' });
    const crashed = await waitFor(
      async () => {
        const response = await send(proxy.port, 'pending.localhost', '/', { accept: browserAccept });
        return response.body.includes('is not running') ? response : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 25, description: 'the crashed page' },
    );
    expect(crashed.status).toBe(503);
    expect(crashed.body).toContain('pending is not running (it is crashed)');
    expect(crashed.body).toContain(`href="${config.COVE_DASHBOARD_URL}/apps/pending"`);
  });

  it('streams a chunked upload and keeps headers meant for one hop away from the app', async () => {
    const response = await send(proxy.port, 'hello.localhost', '/_stcore/upload_file', {
      method: 'PUT',
      body: 'an upload without a length',
      headers: { 'transfer-encoding': 'chunked', connection: 'keep-alive, x-hop-only', 'x-hop-only': '1' },
    });
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body);
    expect(seen).toMatchObject({ method: 'PUT', body: 'an upload without a length' });
    expect(seen.headers['x-hop-only']).toBeUndefined();
  });

  it('answers 502 when the upstream refuses connections, and keeps serving', async () => {
    await route('down', { status: 'running', upstream: { host: '127.0.0.1', port: await closedPort() } });
    const page = await waitForStatus('down.localhost', 502, { accept: browserAccept });
    expect(page.body).toContain('down is not answering');
    expect(page.body).toContain('/apps/down');
    const json = await send(proxy.port, 'down.localhost', '/');
    expect(JSON.parse(json.body).error.code).toBe('app_not_answering');
    expect((await send(proxy.port, 'hello.localhost', '/')).status).toBe(200);
  });

  it('survives an app that drops the connection mid-answer', async () => {
    await expect(send(proxy.port, 'hello.localhost', '/reset')).rejects.toThrow(
      /aborted|ECONNRESET|socket hang up/,
    );
    expect((await send(proxy.port, 'hello.localhost', '/')).status).toBe(200);
  });

  it('serves a route change without a restart, and forgets a removed route', async () => {
    await route('moving', { status: 'running', upstream: { host: '127.0.0.1', port: first.port } });
    await waitForStatus('moving.localhost', 200);
    await route('moving', { status: 'running', upstream: { host: '127.0.0.1', port: second.port } });
    await waitFor(
      async () => JSON.parse((await send(proxy.port, 'moving.localhost', '/')).body).upstream === 'second',
      { timeoutMs: 5_000, intervalMs: 25, description: 'the second upstream to serve' },
    );
    await removeRoute(context.redis, context.instance, 'moving');
    await waitForStatus('moving.localhost', 404);
  });

  it('cancels the upstream request when the client aborts', async () => {
    await route('holding', { status: 'running', upstream: { host: '127.0.0.1', port: second.port } });
    await waitForStatus('holding.localhost', 200);
    const request = startRequest(proxy.port, 'holding.localhost', '/hold/abort');
    await waitFor(() => second.heldRequests.size === 1, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the upstream to receive the request',
    });
    request.destroy();
    await waitFor(() => second.heldRequests.size === 0, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the upstream request to be closed',
    });
  });
});

describe('routes', () => {
  it("answers a renamed app's old name with a 308 to the same path on the new name, until it expires", async () => {
    const appId = randomUUID();
    await route('renamed-new', { status: 'running', upstream: { host: '127.0.0.1', port: first.port } });
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    await writeNameRedirect(context.redis, context.instance, {
      appId,
      oldName: 'renamed-old',
      toName: 'renamed-new',
      expiresAt,
    });
    // The Location is the configured apps address (port 4080), whatever the Host said.
    const response = await send(proxy.port, 'renamed-old.localhost:8080', '/page?x=1', { method: 'POST' });
    expect(response.status).toBe(308);
    expect(response.headers.location).toBe('http://renamed-new.localhost:4080/page?x=1');
    // A Host with more than a port after the name is no app's host: no redirect to where it points.
    const injected = await send(proxy.port, 'renamed-old.localhost:4080@evil.example', '/path');
    expect(injected.status).toBe(404);
    expect(injected.headers.location).toBeUndefined();

    await writeNameRedirect(context.redis, context.instance, {
      appId,
      oldName: 'renamed-old',
      toName: 'renamed-new',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect((await send(proxy.port, 'renamed-old.localhost:8080', '/')).status).toBe(404);
  });

  it('reloads every route after the subscriber reconnects to Redis', async () => {
    // Written without a change message: only a full reload can make the proxy see it.
    const entry: RouteEntry = {
      appId: randomUUID(),
      appName: 'quiet',
      status: 'running',
      upstream: { host: '127.0.0.1', port: first.port },
    };
    await context.redis.hset(routeKeys(context.instance).table, 'quiet', JSON.stringify(entry));
    expect((await send(proxy.port, 'quiet.localhost', '/')).status).toBe(404);

    const clients = String(await context.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const subscriberLine = clients
      .split('\n')
      .find((line) => line.includes(`name=${routeSubscriberName(context.instance)} `));
    const clientId = subscriberLine?.match(/\bid=(\d+)/)?.[1];
    expect(clientId).toBeDefined();
    await context.redis.call('CLIENT', 'KILL', 'ID', String(clientId));
    await waitForStatus('quiet.localhost', 200);
  });
});

describe('WebSocket', () => {
  it('echoes binary and text frames through the proxy', async () => {
    const socket = openWebSocket(proxy.port, 'hello.localhost');
    await waitForOpen(socket);
    const payload = Buffer.from([0, 1, 2, 253, 254, 255]);
    const binaryReply = nextMessage(socket);
    socket.send(payload, { binary: true });
    expect(await binaryReply).toEqual({ data: payload, isBinary: true });
    const large = Buffer.alloc(200_000, 42);
    const largeReply = nextMessage(socket);
    socket.send(large, { binary: true });
    expect((await largeReply).data.equals(large)).toBe(true);
    const textReply = nextMessage(socket);
    socket.send('hello');
    expect(await textReply).toEqual({ data: Buffer.from('hello'), isBinary: false });
    const closed = closeEvent(socket);
    socket.close(1000);
    expect((await closed).code).toBe(1000);
  });

  it('passes the app closing the WebSocket on to the browser', async () => {
    const socket = openWebSocket(proxy.port, 'hello.localhost');
    await waitForOpen(socket);
    const closed = closeEvent(socket);
    socket.send('close please');
    expect(await closed).toEqual({ code: 4000, reason: 'asked to close' });
  });

  it('a tab open to the old container of a swap is told the service restarted (1012) and reconnects to the new one', async () => {
    const old = await startUpstream('old');
    await route('swapping', { status: 'running', upstream: { host: '127.0.0.1', port: old.port } });
    await waitForStatus('swapping.localhost', 200);
    const tab = openWebSocket(proxy.port, 'swapping.localhost');
    await waitForOpen(tab);
    const echoed = nextMessage(tab);
    tab.send('before the swap');
    expect((await echoed).data.toString()).toBe('before the swap');

    // The route switches first; only then does the old container go away, without a close frame.
    await route('swapping', { status: 'running', upstream: { host: '127.0.0.1', port: second.port } });
    await waitFor(
      async () => JSON.parse((await send(proxy.port, 'swapping.localhost', '/')).body).upstream === 'second',
      { timeoutMs: 5_000, intervalMs: 25, description: 'the route to switch to the new container' },
    );
    const closed = closeEvent(tab);
    old.dropWebSockets();
    expect(await closed).toEqual({ code: 1012, reason: 'the app went away' });

    const reconnected = openWebSocket(proxy.port, 'swapping.localhost');
    await waitForOpen(reconnected);
    expect(second.webSocketCount()).toBe(1);
    const echoedAgain = nextMessage(reconnected);
    reconnected.send('after the swap');
    expect((await echoedAgain).data.toString()).toBe('after the swap');
    const reconnectedClosed = closeEvent(reconnected);
    reconnected.close(1000);
    await reconnectedClosed;
    await old.close();
  });

  it('refuses an upgrade for an unknown app (404) and a down app (502)', async () => {
    expect(await refusedUpgradeStatus(openWebSocket(proxy.port, 'nope.localhost'))).toBe(404);
    expect(await refusedUpgradeStatus(openWebSocket(proxy.port, 'down.localhost'))).toBe(502);
    expect(await refusedUpgradeStatus(openWebSocket(proxy.port, 'pending.localhost'))).toBe(503);
  });
});

describe('stop', () => {
  it('finishes in-flight requests and closes WebSockets with 1001', async () => {
    const stopping = await startProxy(config, logger);
    await route('draining', { status: 'running', upstream: { host: '127.0.0.1', port: first.port } });
    const port = stopping.port;
    await waitFor(async () => (await send(port, 'draining.localhost', '/')).status === 200, {
      timeoutMs: 5_000,
      intervalMs: 25,
      description: 'the draining route',
    });
    const socket = openWebSocket(port, 'draining.localhost');
    await waitForOpen(socket);
    const closed = closeEvent(socket);
    const inFlight = send(port, 'draining.localhost', '/hold/drain');
    await waitFor(() => first.heldRequests.size === 1, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the held request',
    });

    const stopped = stopping.stop();
    expect((await closed).code).toBe(1001);
    first.releaseHeld('finished after stop');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body).toBe('finished after stop');
    await stopped;
    await expect(send(port, 'draining.localhost', '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
