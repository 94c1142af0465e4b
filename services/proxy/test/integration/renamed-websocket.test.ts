// A tab opened before a rename reconnects its WebSocket to the old host, and a WebSocket upgrade
// cannot follow a redirect: the proxy serves it from the app's current route during the grace period.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { writeNameRedirect } from '@cove/shared/routing/name-redirects';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { closeEvent, nextMessage, openWebSocket, refusedUpgradeStatus, send, waitForOpen } from './client';
import { startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let proxy: RunningProxy;
let upstream: TestUpstream;
const logger = createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');
const hourMs = 3600_000;

beforeAll(async () => {
  context = await createTestContext();
  upstream = await startUpstream('renamed');
  proxy = await startProxy(
    parseConfig(proxyConfigSchema, {
      ...context.env,
      COVE_PROXY_HOST: '127.0.0.1',
      COVE_PROXY_PORT: '0',
      COVE_APPS_PUBLIC_PORT: '4080',
    }),
    logger,
  );
});

afterAll(async () => {
  await proxy?.stop();
  await upstream?.close();
  await context?.close();
});

/** An app now called `newName`, formerly `oldName`, whose redirect ends at `expiresAt`. */
async function renamedApp(oldName: string, newName: string, expiresAt: Date) {
  const appId = randomUUID();
  await writeRoute(context.redis, context.instance, {
    appId,
    appName: newName,
    status: 'running',
    upstream: { host: '127.0.0.1', port: upstream.port },
  });
  await writeNameRedirect(context.redis, context.instance, {
    appId,
    oldName,
    toName: newName,
    expiresAt: expiresAt.toISOString(),
  });
  // Routes reach the proxy over pub/sub: wait until it serves the new name.
  await waitFor(async () => (await send(proxy.port, `${newName}.localhost`, '/')).status === 200, {
    timeoutMs: 5_000,
    intervalMs: 25,
    description: `${newName} to be routed`,
  });
  return appId;
}

it("serves a WebSocket to an old name from the app's current route, while HTTP gets a redirect", async () => {
  await renamedApp('tab-old', 'tab-new', new Date(Date.now() + hourMs));
  const http = await send(proxy.port, 'tab-old.localhost:4080', '/_stcore/health');
  expect(http.status).toBe(308);
  expect(http.headers.location).toBe('http://tab-new.localhost:4080/_stcore/health');

  const socket = openWebSocket(proxy.port, 'tab-old.localhost:4080');
  await waitForOpen(socket);
  const payload = Buffer.from([8, 1, 18, 3, 0, 255]);
  const reply = nextMessage(socket);
  socket.send(payload, { binary: true });
  expect(await reply).toEqual({ data: payload, isBinary: true });
  const textReply = nextMessage(socket);
  socket.send('still the same app');
  expect(await textReply).toEqual({ data: Buffer.from('still the same app'), isBinary: false });
  const closed = closeEvent(socket);
  socket.close(1000);
  expect((await closed).code).toBe(1000);
});

it('refuses the upgrade (404) once the grace period ended', async () => {
  await renamedApp('lapsed-old', 'lapsed-new', new Date(Date.now() - 1000));
  expect(await refusedUpgradeStatus(openWebSocket(proxy.port, 'lapsed-old.localhost'))).toBe(404);
});

it('refuses the upgrade (404) when the new name now belongs to another app', async () => {
  await renamedApp('taken-old', 'taken-new', new Date(Date.now() + hourMs));
  // Another app took the new name (the renamed app was deleted and its name reused).
  await writeRoute(context.redis, context.instance, {
    appId: randomUUID(),
    appName: 'taken-new',
    status: 'running',
    upstream: { host: '127.0.0.1', port: upstream.port },
  });
  await waitFor(
    async () => {
      const status = await refusedUpgradeStatus(openWebSocket(proxy.port, 'taken-old.localhost')).catch(
        () => 0,
      );
      return status === 404;
    },
    { timeoutMs: 5_000, intervalMs: 50, description: 'the old name to stop reaching the other app' },
  );
});
