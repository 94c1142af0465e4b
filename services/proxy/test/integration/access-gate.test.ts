// The gate's WebSocket bookkeeping against a real Redis: sockets let in to a public app without a
// session close when the app is made private, and a person whose access is taken away loses theirs.
// The gate sits in front of a plain WebSocket server here, called as the proxy's upgrade handler calls it.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  appSessionCookieName,
  endAppSessionsOfUser,
  exchangeAccessToken,
} from '@cove/shared/access/app-sessions';
import { writeAppVisibility } from '@cove/shared/access/private-apps';
import { signAccessToken } from '@cove/shared/access/tokens';
import { parseConfig } from '@cove/shared/config/load';
import { type ProxyConfig, proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type AccessGate, createAccessGate, type GateTarget } from '../../src/access/gate';
import { writeResponseToSocket } from '../../src/forwarding/socket-response';
import { closeEvent, nextMessage, refusedUpgradeStatus, waitForOpen } from './client';

let context: TestContext;
let config: ProxyConfig;
let gate: AccessGate;
let server: Server;
let port: number;
const apps = new Map<string, GateTarget>();
const logger = createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  context = await createTestContext();
  config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
  });
  gate = createAccessGate({ config, redis: context.redis, logger });
  await gate.start();
  const echo = new WebSocketServer({ noServer: true });
  echo.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  server = createServer((_request, response) => response.end());
  server.on('upgrade', async (request, socket, head) => {
    const target = apps.get((request.headers.host ?? '').split('.')[0] ?? '');
    if (!target) return socket.destroy();
    const refusal = await gate.checkUpgrade(request, target, socket);
    if (refusal) return writeResponseToSocket(socket, refusal);
    echo.handleUpgrade(request, socket, head, (client) => echo.emit('connection', client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await gate?.stop();
  await context?.close();
});

function addApp(): GateTarget {
  const app = { appName: `app-${randomUUID().slice(0, 8)}`, appId: randomUUID() };
  apps.set(app.appName, app);
  return app;
}

function connect(app: GateTarget, cookie?: string): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${port}/_stcore/stream`, {
    headers: { host: `${app.appName}.localhost`, ...(cookie ? { cookie } : {}) },
  });
}

/** An app session as the sign-in exchange makes it: the cookie to send, and whose it is. */
async function signIn(app: GateTarget): Promise<{ cookie: string; userId: string }> {
  const userId = randomUUID();
  const { claims } = signAccessToken(config.COVE_MASTER_KEY, {
    ...app,
    userId,
    email: 'ada@example.com',
    dashboardSessionId: randomBytes(32).toString('hex'),
    dashboardSessionExpiresAtMs: Date.now() + 3_600_000,
  });
  const exchanged = await exchangeAccessToken(context.redis, context.instance, claims);
  if (exchanged.kind !== 'ok') throw new Error(`exchange failed: ${exchanged.kind}`);
  return { cookie: `${appSessionCookieName}=${exchanged.cookieValue}`, userId };
}

async function echoes(socket: WebSocket): Promise<boolean> {
  const answer = nextMessage(socket);
  socket.send('still there?');
  return (await answer).data.toString('utf8') === 'still there?';
}

test("making a public app private closes its visitors' WebSockets that have no session", async () => {
  const app = addApp();
  const neighbour = addApp();
  // Someone who signed in while the app was private before keeps their tab.
  const signedIn = connect(app, (await signIn(app)).cookie);
  const visitor = connect(app);
  const elsewhere = connect(neighbour);
  await Promise.all([waitForOpen(signedIn), waitForOpen(visitor), waitForOpen(elsewhere)]);
  const closed = closeEvent(visitor);

  await writeAppVisibility(context.redis, context.instance, app.appId, 'private');

  await closed;
  expect(await echoes(signedIn)).toBe(true);
  expect(await echoes(elsewhere)).toBe(true);
  expect(await refusedUpgradeStatus(connect(app))).toBe(401);
  for (const socket of [signedIn, elsewhere]) socket.close();
});

test('a person whose access is taken away loses their WebSockets on that app, others keep theirs', async () => {
  const app = addApp();
  await writeAppVisibility(context.redis, context.instance, app.appId, 'private');
  const removed = await signIn(app);
  const kept = await signIn(app);
  const [removedSocket, keptSocket] = [connect(app, removed.cookie), connect(app, kept.cookie)];
  await Promise.all([waitForOpen(removedSocket), waitForOpen(keptSocket)]);
  const closed = closeEvent(removedSocket);

  expect(await endAppSessionsOfUser(context.redis, context.instance, removed.userId, [app.appId])).toBe(1);

  await closed;
  expect(await echoes(keptSocket)).toBe(true);
  expect(await refusedUpgradeStatus(connect(app, removed.cookie))).toBe(401);
  keptSocket.close();
});
