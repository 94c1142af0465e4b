import { randomUUID } from 'node:crypto';
import { errorResponse } from '@cove/shared/contracts/api';
import type { TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as loginRoute from '../../app/api/v1/auth/login/route';
import * as signupRoute from '../../app/api/v1/auth/signup/route';
import * as pushRoute from '../../app/api/v1/webhooks/[name]/route';
import { rateLimits, signUpPerAddress, webhookBodyLimitBytes } from '../../lib/server/abuse-limits';
import { serverContext } from '../../lib/server/context';
import { apiBodyLimitBytes } from '../../lib/server/http';
import { call, dashboardOrigin, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;

beforeAll(async () => {
  // The operator's setting, lower than the default of 10, is what the sign-up limit counts to.
  context = await startDashboardContext({ COVE_SIGNUPS_PER_ADDRESS_PER_HOUR: '4' });
});
afterAll(async () => {
  await stopDashboardContext(context);
});

function signIn(email: string, address?: string) {
  return call(loginRoute.POST, {
    method: 'POST',
    path: '/auth/login',
    params: {},
    body: { email, password: 'not the password' },
    headers: { origin: dashboardOrigin, ...(address ? { 'x-forwarded-for': address } : {}) },
  });
}

function signUp(email: string, address: string) {
  return call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email, password: 'a long enough password' },
    headers: { origin: dashboardOrigin, 'x-forwarded-for': address },
  });
}

function deliver(name: string, body = '{}') {
  return call(pushRoute.POST, {
    method: 'POST',
    path: `/webhooks/${name}`,
    params: { name },
    rawBody: body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
  });
}

async function expectRefusal(response: Response, status: number, message: RegExp) {
  expect(response.status).toBe(status);
  expect(errorResponse.parse(await response.json()).error.message).toMatch(message);
}

async function repeat(times: number, attempt: (index: number) => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < times; index++) statuses.push((await attempt(index)).status);
  return statuses;
}

test('sign-in attempts for one email are limited, whatever address they come from', async () => {
  const email = `${randomUUID()}@example.com`;
  const { limit } = rateLimits.signInPerEmail;
  const statuses = await repeat(limit, (index) => signIn(email, `203.0.113.${index}`));
  expect(new Set(statuses)).toEqual(new Set([401]));
  const refused = await signIn(email, '198.51.100.7');
  await expectRefusal(
    refused,
    429,
    /^Too many sign-in attempts for this email\. Try again in \d+ minutes\.$/,
  );
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  // Another email is not held back.
  expect((await signIn(`${randomUUID()}@example.com`, '198.51.100.7')).status).toBe(401);
});

test('sign-in attempts from one address are limited across emails', async () => {
  const address = '203.0.113.200';
  const { limit } = rateLimits.signInPerAddress;
  const statuses = await repeat(limit, () => signIn(`${randomUUID()}@example.com`, `10.0.0.1, ${address}`));
  expect(new Set(statuses)).toEqual(new Set([401]));
  // The client's own x-forwarded-for entries do not change the address counted: the last one does.
  const refused = await signIn(`${randomUUID()}@example.com`, `10.9.9.9, ${address}`);
  await expectRefusal(refused, 429, /^Too many sign-in attempts from your address\./);
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
});

test('sign-ups from one address are limited', async () => {
  const address = '203.0.113.201';
  const { limit } = signUpPerAddress(serverContext());
  expect(limit).toBe(4);
  const statuses = await repeat(limit, () => signUp(`${randomUUID()}@example.com`, address));
  expect(new Set(statuses)).toEqual(new Set([201]));
  await expectRefusal(
    await signUp(`${randomUUID()}@example.com`, address),
    429,
    /^Too many sign-ups from your address\./,
  );
});

test('webhook deliveries are limited per app', async () => {
  const { limit } = rateLimits.webhookPerApp;
  const statuses = await repeat(limit, () => deliver('busy-app'));
  expect(statuses).not.toContain(429);
  const refused = await deliver('busy-app');
  await expectRefusal(
    refused,
    429,
    /^Too many webhook deliveries for this app\. Try again in \d+ seconds?\.$/,
  );
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  expect((await deliver('quiet-app')).status).not.toBe(429);
});

test('bodies over the size limits are refused with 413', async () => {
  await expectRefusal(
    await deliver('large-app', `{"padding":"${'x'.repeat(webhookBodyLimitBytes)}"}`),
    413,
    /^The request body is too large: at most 5120 KB is accepted\.$/,
  );
  const oversized = await call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email: 'big@example.com', password: 'x'.repeat(apiBodyLimitBytes) },
    headers: { origin: dashboardOrigin },
  });
  await expectRefusal(oversized, 413, /^The request body is too large: at most 1024 KB is accepted\.$/);
});
