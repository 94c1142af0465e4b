// Clients that hold the proxy's connections without using them (security review M4): a request
// head or body that trickles in, an app that never answers, one address opening connection after
// connection. Each is cut off by its bound and leaves nothing held; other apps keep serving.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { parseConfig } from '@cove/shared/config/load';
import { type ProxyConfig, proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { openWebSocket, send, waitForOpen } from './client';
import { startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let config: ProxyConfig;
let proxy: RunningProxy;
let slowApp: TestUpstream;
let otherApp: TestUpstream;
const logger = createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');
const maxConnectionsPerAddress = 6;

beforeAll(async () => {
  context = await createTestContext();
  [slowApp, otherApp] = await Promise.all([startUpstream('slow'), startUpstream('other')]);
  for (const [appName, upstream] of [
    ['slow', slowApp],
    ['other', otherApp],
  ] as const) {
    await writeRoute(context.redis, context.instance, {
      appId: randomUUID(),
      appName,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
  }
  config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
    COVE_PROXY_HEADERS_TIMEOUT_SECONDS: '0.5',
    COVE_PROXY_REQUEST_TIMEOUT_SECONDS: '2',
    COVE_PROXY_BODY_IDLE_TIMEOUT_SECONDS: '0.5',
    COVE_PROXY_ANSWER_TIMEOUT_SECONDS: '0.5',
    COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS: String(maxConnectionsPerAddress),
  });
  proxy = await startProxy(config, logger, { shutdownGraceMs: 100 });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([slowApp?.close(), otherApp?.close()]);
  await context?.close();
});

interface RawClient {
  socket: Socket;
  received(): string;
  isClosed(): boolean;
}

function rawClient(firstBytes: string, port = proxy.port): RawClient {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  socket.once('close', () => {
    isClosed = true;
  });
  socket.write(firstBytes);
  return { socket, received: () => received, isClosed: () => isClosed };
}

/**
 * Writes one more byte every `everyMs` until the proxy closes the connection or `maxBytes` went out:
 * a client slower than a whole-request bound but never idle for long. Bounded: it stops by itself.
 */
function trickle(client: RawClient, byte: string, everyMs: number, maxBytes: number): void {
  let sent = 0;
  const timer = setInterval(() => {
    sent += 1;
    if (client.isClosed() || sent > maxBytes) clearInterval(timer);
    else client.socket.write(byte);
  }, everyMs);
}

function waitForClosed(client: RawClient, description: string): Promise<unknown> {
  return waitFor(() => client.isClosed(), { timeoutMs: 10_000, intervalMs: 20, description });
}

function waitForNoConnectionAt(upstream: TestUpstream): Promise<unknown> {
  return waitFor(() => upstream.openConnections() === 0, {
    timeoutMs: 10_000,
    intervalMs: 20,
    description: `no connection left open to ${upstream.name}`,
  });
}

async function expectOtherAppServes(): Promise<void> {
  const response = await send(proxy.port, 'other.localhost', '/still-there');
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toMatchObject({ upstream: 'other', url: '/still-there' });
}

describe('slow clients', () => {
  it('cuts off a body that stalls after its idle timeout; it then holds no client or app socket', async () => {
    const client = rawClient(
      'POST /upload HTTP/1.1\r\nHost: slow.localhost\r\nContent-Length: 1000\r\n\r\na',
    );
    await waitFor(() => slowApp.openConnections() === 1, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the request to reach the app',
    });
    await expectOtherAppServes();
    await waitForClosed(client, 'the proxy to close the stalled upload');
    await waitForNoConnectionAt(slowApp);
    await expectOtherAppServes();
  });

  it('cuts off a body that trickles in slower than the whole request may take', async () => {
    const client = rawClient(
      'POST /upload HTTP/1.1\r\nHost: slow.localhost\r\nContent-Length: 100000\r\n\r\na',
    );
    // A byte every 100 ms: never idle for the 0.5 s body timeout; the whole request has 2 s.
    trickle(client, 'a', 100, 200);
    await expectOtherAppServes();
    await waitForClosed(client, 'the proxy to close the trickling upload');
    await waitForNoConnectionAt(slowApp);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 to a request head that trickles in', async () => {
    const client = rawClient('GET /slow HTTP/1.1\r\nHost: slow.localhost\r\nX-Slow: ');
    trickle(client, 'a', 50, 400);
    await expectOtherAppServes();
    await waitForClosed(client, 'the proxy to close the trickling head');
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 504 in plain words when the app sends no answer in time, and lets the request go', async () => {
    const response = await send(proxy.port, 'slow.localhost', '/hold/never');
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body).error).toEqual({
      code: 'app_answer_timeout',
      message: 'slow did not answer within 0.5 seconds. It may be busy or stuck; try again in a moment.',
    });
    await waitFor(() => slowApp.heldRequests.size === 0, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the held request at the app to be closed',
    });
  });
});

describe('connection caps', () => {
  it('closes connections past the per-address cap, WebSockets counted, and takes new ones once some close', async () => {
    const sockets = Array.from({ length: maxConnectionsPerAddress }, () =>
      openWebSocket(proxy.port, 'other.localhost'),
    );
    try {
      await Promise.all(sockets.map((socket) => waitForOpen(socket)));
      const refused = rawClient('GET / HTTP/1.1\r\nHost: other.localhost\r\n\r\n');
      await waitForClosed(refused, 'the connection past the cap to be closed');
      expect(refused.received()).toBe('');
    } finally {
      for (const socket of sockets) socket.terminate();
    }
    await waitFor(
      async () => {
        try {
          return (await send(proxy.port, 'other.localhost', '/')).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: 5_000, intervalMs: 20, description: 'a new connection to be taken again' },
    );
  });

  it('closes connections past the whole process cap, whatever their address', async () => {
    const capped = await startProxy(
      { ...config, COVE_PROXY_MAX_CONNECTIONS: 2, COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS: 100 },
      logger,
      { shutdownGraceMs: 100 },
    );
    const sockets = [
      openWebSocket(capped.port, 'other.localhost'),
      openWebSocket(capped.port, 'other.localhost'),
    ];
    try {
      await Promise.all(sockets.map((socket) => waitForOpen(socket)));
      const refused = rawClient('GET / HTTP/1.1\r\nHost: other.localhost\r\n\r\n', capped.port);
      await waitForClosed(refused, 'the connection past the process cap to be closed');
      expect(refused.received()).toBe('');
    } finally {
      for (const socket of sockets) socket.terminate();
      await capped.stop();
    }
  });
});
