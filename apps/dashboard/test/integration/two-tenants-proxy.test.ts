// Tenants A and B (two-tenants-fixture.ts) through the real proxy: A's app is private, B's too. B,
// signed in to the dashboard and to its own app, tries to open A's app: with its dashboard session,
// through the dashboard's door, with the token and the cookie its own app gave it, and with Host
// header tricks from its own app's host. None of it reaches A's container (a counting stand-in); A,
// through the same door, does.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { writeRoute } from '@cove/shared/routing/route-table';
import type { TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type RunningProxy, startProxy } from '../../../../services/proxy/src/proxy';
import {
  browserAccept,
  refusedUpgradeStatus,
  send,
} from '../../../../services/proxy/test/integration/client';
import * as accessPage from '../../app/access/route';
import { call, dashboardOrigin, startDashboardContext, stopDashboardContext } from './harness';
import { routesOnDisk } from './route-handlers';
import { makeTenantA, makeTenantB, type Tenants } from './two-tenants-fixture';

/** A stand-in for an app's container that counts every request and upgrade it is asked. */
interface CountingApp {
  name: string;
  port: number;
  requests: number;
  close(): Promise<void>;
}

async function startCountingApp(name: string): Promise<CountingApp> {
  const counting: CountingApp = { name, port: 0, requests: 0, close: async () => {} };
  const server: Server = createServer((request, response) => {
    counting.requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        app: name,
        host: request.headers.host ?? null,
        forwardedHost: request.headers['x-forwarded-host'] ?? null,
      }),
    );
  });
  server.on('upgrade', (_request, socket) => {
    counting.requests += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  counting.port = (server.address() as AddressInfo).port;
  counting.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return counting;
}

let context: TestContext;
let tenants: Tenants;
let proxy: RunningProxy;
let appOfA: CountingApp;
let appOfB: CountingApp;
const hostOf = (appName: string) => `${appName}.localhost`;

beforeAll(async () => {
  context = await startDashboardContext();
  const handlers = await routesOnDisk();
  tenants = { a: await makeTenantA(context, handlers), b: await makeTenantB(handlers) };
  const patch = handlers.get('PATCH /apps/[name]');
  if (!patch) throw new Error('PATCH /apps/[name] is not served');
  const madePrivate = await call(patch, {
    method: 'PATCH',
    path: `/apps/${tenants.b.appName}`,
    params: { name: tenants.b.appName },
    body: { visibility: 'private' },
    token: tenants.b.token,
  });
  expect(madePrivate.status).toBe(200);
  appOfA = await startCountingApp('answered-by-A');
  appOfB = await startCountingApp('answered-by-B');
  // What the builder writes once a container answers its health check.
  for (const [tenant, app] of [
    [tenants.a, appOfA],
    [tenants.b, appOfB],
  ] as const) {
    await writeRoute(context.redis, context.instance, {
      appName: tenant.appName,
      appId: tenant.appId,
      status: 'running',
      upstream: { host: '127.0.0.1', port: app.port },
    });
  }
  const config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
  });
  proxy = await startProxy(
    config,
    createLogger('two-tenants-proxy', process.env.COVE_TEST_LOG_LEVEL ?? 'silent'),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await appOfA?.close();
  await appOfB?.close();
  await stopDashboardContext(context);
});

/** Where the dashboard's /access page sends a browser with this dashboard session. */
async function door(appName: string, dashboardCookie: string): Promise<string> {
  const request = new Request(
    `${dashboardOrigin}/access?${new URLSearchParams({ app: appName, return: '/' })}`,
    {
      headers: { cookie: dashboardCookie },
    },
  );
  const response = await accessPage.GET(request, { params: Promise.resolve({}) });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

/** Follows the door's redirect to the app host's exchange; the app session cookie it sets, or null. */
async function exchange(
  location: string,
  atHost: string,
): Promise<{ status: number; cookie: string | null }> {
  const url = new URL(location);
  const response = await send(proxy.port, atHost, `${url.pathname}${url.search}`, { accept: browserAccept });
  const setCookie = response.headers['set-cookie'];
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return { status: response.status, cookie: first ? (first.split(';')[0] ?? null) : null };
}

/** B's own app session, through the door as any browser gets one: the cookie of B's app host. */
async function appSessionOfB(): Promise<string> {
  const location = await door(tenants.b.appName, tenants.b.cookie);
  expect(new URL(location).host).toBe(hostOf(tenants.b.appName));
  const exchanged = await exchange(location, hostOf(tenants.b.appName));
  expect(exchanged.status).toBe(302);
  if (!exchanged.cookie) throw new Error("B's app host set no cookie");
  return exchanged.cookie;
}

/** One request written as is (two Host headers, say); the answer's text, read to the close. */
function rawRequest(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer from the proxy')));
    socket.write(head);
  });
}

describe("B against A's private app through the proxy", () => {
  test("B's own sign-in works on B's app (else every refusal below proves nothing)", async () => {
    const cookie = await appSessionOfB();
    const response = await send(proxy.port, hostOf(tenants.b.appName), '/', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).app).toBe('answered-by-B');
  });

  test("B's dashboard session does not open A's app, and the dashboard's door says no", async () => {
    const hostOfA = hostOf(tenants.a.appName);
    const plain = await send(proxy.port, hostOfA, '/', { headers: { cookie: tenants.b.cookie } });
    expect(plain.status).toBe(401);
    const browser = await send(proxy.port, hostOfA, '/', {
      accept: browserAccept,
      headers: { cookie: tenants.b.cookie },
    });
    expect(browser.status).toBe(302);
    expect(new URL(String(browser.headers.location)).pathname).toBe('/access');
    const location = await door(tenants.a.appName, tenants.b.cookie);
    expect(location.startsWith('/access/denied?')).toBe(true);
    expect(appOfA.requests).toBe(0);
  });

  test("the token B's own app was given does not trade for a session on A's host", async () => {
    const location = await door(tenants.b.appName, tenants.b.cookie);
    const traded = await exchange(location, hostOf(tenants.a.appName));
    expect(traded.status).toBeGreaterThanOrEqual(400);
    expect(traded.cookie).toBeNull();
    expect(appOfA.requests).toBe(0);
  });

  test("the cookie of B's app host opens nothing on A's, over HTTP or WebSocket", async () => {
    const cookie = await appSessionOfB();
    const hostOfA = hostOf(tenants.a.appName);
    for (const host of [hostOfA, hostOfA.toUpperCase(), `${hostOfA}.`, `${hostOfA}:4080`]) {
      const response = await send(proxy.port, host, '/', { headers: { cookie } });
      expect(response.status, `Host ${host}`).toBe(401);
    }
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: hostOfA, cookie },
    });
    expect(await refusedUpgradeStatus(socket)).toBe(401);
    expect(appOfA.requests).toBe(0);
  });

  test("no Host header trick from B's app host reaches A's app", async () => {
    const cookie = await appSessionOfB();
    const hostOfA = hostOf(tenants.a.appName);
    const hostOfB = hostOf(tenants.b.appName);
    /** 'B': B's own app answers, told its own host; a status: the proxy answers it itself. */
    type Outcome = 'B' | number;
    const tricks: {
      what: string;
      host: string;
      path: string;
      headers?: Record<string, string>;
      outcome: Outcome;
    }[] = [
      { what: "an absolute URL naming A's host", host: hostOfB, path: `http://${hostOfA}/`, outcome: 'B' },
      { what: "A's host as userinfo", host: `${hostOfB}@${hostOfA}`, path: '/', outcome: 404 },
      { what: "B's host as userinfo", host: `${hostOfA}@${hostOfB}`, path: '/', outcome: 404 },
      {
        what: 'a port followed by another host',
        host: `${hostOfB}:4080@${hostOfA}`,
        path: '/',
        outcome: 404,
      },
      { what: "A's name under B's host", host: `${tenants.a.appName}.${hostOfB}`, path: '/', outcome: 404 },
      { what: "B's host then A's", host: `${hostOfB}.${hostOfA}`, path: '/', outcome: 404 },
      {
        what: "X-Forwarded-Host naming A's host",
        host: hostOfB,
        path: '/',
        headers: { 'x-forwarded-host': hostOfA },
        outcome: 'B',
      },
    ];
    for (const trick of tricks) {
      const response = await send(proxy.port, trick.host, trick.path, {
        headers: { cookie, ...trick.headers },
      });
      const label = `${trick.what}: ${response.status} ${response.body.slice(0, 200)}`;
      expect(response.body, label).not.toContain('answered-by-A');
      if (trick.outcome === 'B') {
        expect(response.status, label).toBe(200);
        expect(JSON.parse(response.body), label).toMatchObject({
          app: 'answered-by-B',
          forwardedHost: hostOfB,
        });
      } else {
        expect(response.status, label).toBe(trick.outcome);
      }
    }
    // Two Host headers: the first names the app, for routing and for what the app is told alike.
    for (const [first, second, status] of [
      [hostOfB, hostOfA, 200],
      [hostOfA, hostOfB, 401],
    ] as const) {
      const answer = await rawRequest(
        `GET / HTTP/1.1\r\nHost: ${first}\r\nHost: ${second}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.startsWith(`HTTP/1.1 ${status} `), `Host ${first} then ${second}: ${answer}`).toBe(true);
      expect(answer).not.toContain('answered-by-A');
    }
    expect(appOfA.requests).toBe(0);
  });

  test("A, through the same door, opens A's app (the count above could have moved)", async () => {
    expect(appOfA.requests).toBe(0);
    const location = await door(tenants.a.appName, tenants.a.cookie);
    const exchanged = await exchange(location, hostOf(tenants.a.appName));
    expect(exchanged.status).toBe(302);
    const response = await send(proxy.port, hostOf(tenants.a.appName), '/', {
      headers: { cookie: exchanged.cookie ?? '' },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).app).toBe('answered-by-A');
    expect(appOfA.requests).toBe(1);
  });
});
