// The dashboard as it runs: its own server (server/main.ts) in front of Next's build, over a real
// socket. What a client puts in X-Forwarded-For must not choose the address the limits count, unless
// the peer is a front proxy the operator trusts; every answer forbids framing.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTokenResponse, errorResponse } from '@cove/shared/contracts/api';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { afterEach, expect, test } from 'vitest';
import { rateLimits } from '../../lib/server/abuse-limits';
import { clientAddressHeader } from '../../lib/server/client-address';
import { type DashboardServer, dashboardDir, startDashboardServer } from '../dashboard-process';

const startTimeoutMs = 60_000;

const running: DashboardServer[] = [];
const contexts: TestContext[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((dashboard) => dashboard.stop()));
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

/** Starts the dashboard's server on a free port of 127.0.0.1 with a database of its own. */
async function startDashboard(env: Record<string, string> = {}): Promise<DashboardServer> {
  const context = await createTestContext();
  contexts.push(context);
  const dashboard = await startDashboardServer({ ...context.env, ...env });
  running.push(dashboard);
  return dashboard;
}

/** Sends X-Forwarded-For, and the header the server sets itself, both as the client likes. */
function signIn(dashboard: DashboardServer, email: string, forwardedFor: string) {
  return fetch(`${dashboard.origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': forwardedFor,
      [clientAddressHeader]: forwardedFor.split(',')[0] ?? '',
    },
    body: JSON.stringify({ email, password: 'not the password' }),
  });
}

async function statuses(attempts: (() => Promise<Response>)[]): Promise<number[]> {
  const seen: number[] = [];
  for (const attempt of attempts) seen.push((await attempt()).status);
  return seen;
}

const { limit } = rateLimits.signInPerAddress;

test('a forged X-Forwarded-For from 127.0.0.1 does not escape the per-address limit', async () => {
  const dashboard = await startDashboard();
  const seen = await statuses(
    Array.from(
      { length: limit },
      (_, index) => () => signIn(dashboard, `forged-${index}@example.com`, `198.51.100.${index}`),
    ),
  );
  expect(new Set(seen)).toEqual(new Set([401]));
  const refused = await signIn(dashboard, 'forged-last@example.com', '203.0.113.250');
  expect(refused.status).toBe(429);
  expect(errorResponse.parse(await refused.json()).error.message).toMatch(
    /^Too many sign-in attempts from your address\./,
  );
});

test("a trusted front proxy's X-Forwarded-For is the client's address", async () => {
  const dashboard = await startDashboard({ COVE_DASHBOARD_TRUSTED_PROXIES: '127.0.0.0/8' });
  // The proxy appends the client it saw; what the client itself sent stays to the left, unread.
  const seen = await statuses(
    Array.from(
      { length: limit },
      (_, index) => () => signIn(dashboard, `proxied-${index}@example.com`, `10.${index}.0.1, 203.0.113.50`),
    ),
  );
  expect(new Set(seen)).toEqual(new Set([401]));
  expect((await signIn(dashboard, 'proxied-x@example.com', '10.99.0.1, 203.0.113.50')).status).toBe(429);
  // Another client behind the same proxy is counted apart.
  expect((await signIn(dashboard, 'proxied-y@example.com', '203.0.113.51')).status).toBe(401);
});

test('every answer forbids framing: pages, the API, and pages that do not exist', async () => {
  const dashboard = await startDashboard();
  for (const pathname of ['/login', '/apps', '/api/v1/openapi.json', '/api/v1/session', '/no-such-page']) {
    const response = await fetch(`${dashboard.origin}${pathname}`, { redirect: 'manual' });
    expect(response.headers.get('content-security-policy'), pathname).toBe("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options'), pathname).toBe('DENY');
    await response.body?.cancel();
  }
});

test("the API tokens page lists the person's own tokens, never a secret, and needs a session", async () => {
  const dashboard = await startDashboard();
  const signUp = async (email: string) => {
    const response = await fetch(`${dashboard.origin}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long enough password' }),
    });
    expect(response.status).toBe(201);
    return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };
  const cookie = await signUp('tokens-page@example.com');
  const otherCookie = await signUp('tokens-page-other@example.com');
  const create = async (sessionCookie: string, name: string) => {
    const response = await fetch(`${dashboard.origin}/api/v1/tokens`, {
      method: 'POST',
      // A session's writes must come from the dashboard's own origin (the configured one).
      headers: { 'content-type': 'application/json', cookie: sessionCookie, origin: 'http://localhost:4100' },
      body: JSON.stringify({ name, scope: 'read', expiresInDays: 7 }),
    });
    expect(response.status).toBe(201);
    return createTokenResponse.parse(await response.json()).token;
  };
  const secret = await create(cookie, 'nightly-report');
  await create(otherCookie, 'someone-elses-token');

  const page = await fetch(`${dashboard.origin}/tokens`, { headers: { cookie } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('nightly-report');
  expect(html).toContain('read-only');
  expect(html).not.toContain(secret);
  expect(html).not.toContain('someone-elses-token');

  const signedOut = await fetch(`${dashboard.origin}/tokens`, { redirect: 'manual' });
  expect([303, 307, 308]).toContain(signedOut.status);
  expect(signedOut.headers.get('location')).toMatch(/\/login$/);
  await signedOut.body?.cancel();
});

test('`next start` alone refuses to run: it could not tell the client address', async () => {
  const context = await createTestContext();
  contexts.push(context);
  const nextBin = path.resolve(dashboardDir, '../../node_modules/next/dist/bin/next');
  const child = spawn(process.execPath, [nextBin, 'start', dashboardDir, '-p', '0', '-H', '127.0.0.1'], {
    env: { ...process.env, ...context.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  expect(output).toContain('start it with `node apps/dashboard/dist/server.js`');
  expect(exitCode).toBe(78);
});
