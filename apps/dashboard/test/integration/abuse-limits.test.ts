import { randomUUID } from 'node:crypto';
import { errorResponse, webhookView } from '@cove/shared/contracts/api';
import type { TestContext } from '@cove/shared/testing/context';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as webhookRoute from '../../app/api/v1/apps/[name]/webhook/route';
import * as loginRoute from '../../app/api/v1/auth/login/route';
import * as signupRoute from '../../app/api/v1/auth/signup/route';
import * as pushRoute from '../../app/api/v1/webhooks/[name]/route';
import { rateLimits, signUpPerAddress, webhookBodyLimitBytes } from '../../lib/server/abuse-limits';
import { clientAddressHeader } from '../../lib/server/client-address';
import { serverContext } from '../../lib/server/context';
import { apiBodyLimitBytes } from '../../lib/server/http';
import {
  call,
  createTestApp,
  dashboardOrigin,
  signUpWithToken,
  startDashboardContext,
  stopDashboardContext,
} from './harness';

let context: TestContext;

beforeAll(async () => {
  // The operator's setting, lower than the default of 10, is what the sign-up limit counts to.
  context = await startDashboardContext({ COVE_SIGNUPS_PER_ADDRESS_PER_HOUR: '4' });
});
afterAll(async () => {
  await stopDashboardContext(context);
});

/** The address the dashboard's server found on the connection (server/main.ts sets it). */
function from(address: string): Record<string, string> {
  return { [clientAddressHeader]: address };
}

const rightPassword = 'a long enough password';

function signIn(email: string, address: string, password = 'not the password') {
  return call(loginRoute.POST, {
    method: 'POST',
    path: '/auth/login',
    params: {},
    body: { email, password },
    headers: { origin: dashboardOrigin, ...from(address) },
  });
}

function signUp(email: string, address: string) {
  return call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email, password: rightPassword },
    headers: { origin: dashboardOrigin, ...from(address) },
  });
}

function deliver(name: string, body = '{}', headers: Record<string, string> = {}) {
  return call(pushRoute.POST, {
    method: 'POST',
    path: `/webhooks/${name}`,
    params: { name },
    rawBody: body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers },
  });
}

const pingBody = '{"zen":"Keep it simple.","hook_id":1}';

/** A ping signed with the app's secret, as the forge sends it, from the forge's address. */
function ping(name: string, secret: string) {
  return deliver(name, pingBody, {
    'x-github-event': 'ping',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': signGitHubPayload(secret, pingBody),
    ...from('192.0.2.10'),
  });
}

async function appWithWebhook(namePrefix: string) {
  const { token } = await signUpWithToken();
  const { name } = await createTestApp(token, namePrefix);
  const webhook = await call(webhookRoute.GET, { path: `/apps/${name}/webhook`, params: { name }, token });
  return { name, secret: webhookView.parse(await webhook.json()).secret };
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

async function signedUpEmail(): Promise<string> {
  const email = `${randomUUID()}@example.com`;
  expect((await signUp(email, '192.0.2.250')).status).toBe(201);
  return email;
}

test("failed sign-ins for an email from one address hold back that address, not the owner's", async () => {
  const email = await signedUpEmail();
  const attacker = '203.0.113.66';
  const { limit } = rateLimits.signInPerEmailFromAddress;
  const statuses = await repeat(limit, () => signIn(email, attacker));
  expect(new Set(statuses)).toEqual(new Set([401]));
  const refused = await signIn(email, attacker, rightPassword);
  await expectRefusal(
    refused,
    429,
    /^Too many sign-in attempts for this email from your address\. Try again in \d+ minutes\.$/,
  );
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  // The owner, elsewhere, signs in while the guesser is held back.
  expect((await signIn(email, '198.51.100.7', rightPassword)).status).toBe(200);
  expect((await signIn(email, attacker)).status).toBe(429);
});

test('a right password is not counted against the limits', async () => {
  const email = await signedUpEmail();
  const address = '203.0.113.77';
  const { limit } = rateLimits.signInPerEmailFromAddress;
  const successes = await repeat(limit + 5, () => signIn(email, address, rightPassword));
  expect(new Set(successes)).toEqual(new Set([200]));
  // The failures still have their whole allowance.
  expect(new Set(await repeat(limit, () => signIn(email, address)))).toEqual(new Set([401]));
  expect((await signIn(email, address)).status).toBe(429);
});

test('failed sign-ins for one email spread over many addresses meet a backstop', async () => {
  const email = `${randomUUID()}@example.com`;
  const { limit } = rateLimits.signInPerEmail;
  const perAddress = rateLimits.signInPerEmailFromAddress.limit;
  const statuses = await repeat(limit, (index) =>
    signIn(email, `198.18.${Math.floor(index / perAddress)}.1`),
  );
  expect(new Set(statuses)).toEqual(new Set([401]));
  await expectRefusal(
    await signIn(email, '198.51.100.8'),
    429,
    /^Too many sign-in attempts for this email\. Try again in \d+ minutes\.$/,
  );
  // Another email is not held back.
  expect((await signIn(`${randomUUID()}@example.com`, '198.51.100.8')).status).toBe(401);
});

test('sign-in attempts from one address are limited across emails', async () => {
  const address = '203.0.113.200';
  const { limit } = rateLimits.signInPerAddress;
  const statuses = await repeat(limit, () => signIn(`${randomUUID()}@example.com`, address));
  expect(new Set(statuses)).toEqual(new Set([401]));
  await expectRefusal(
    await signIn(`${randomUUID()}@example.com`, address),
    429,
    /^Too many sign-in attempts from your address\./,
  );
  // An IPv6 client is counted by its /64: moving within it does not start afresh.
  const statusesV6 = await repeat(limit, (index) =>
    signIn(`${randomUUID()}@example.com`, `2001:db8:5:6::${(index + 1).toString(16)}`),
  );
  expect(new Set(statusesV6)).toEqual(new Set([401]));
  expect((await signIn(`${randomUUID()}@example.com`, '2001:db8:5:6:ffff::1')).status).toBe(429);
  expect((await signIn(`${randomUUID()}@example.com`, '2001:db8:5:7::1')).status).toBe(401);
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

test('the per-app webhook limit counts signed deliveries only, so junk cannot hold back real pushes', async () => {
  const { name, secret } = await appWithWebhook('busy');
  const { limit } = rateLimits.webhookPerApp;
  // As many unsigned and wrongly signed deliveries as the app's limit, each from its own address.
  const unsigned = await repeat(limit, (index) => deliver(name, '{}', from(`203.0.113.${index}`)));
  const badlySigned = await repeat(limit, (index) =>
    deliver(name, pingBody, {
      'x-github-event': 'ping',
      'x-hub-signature-256': signGitHubPayload('not the secret', pingBody),
      ...from(`198.51.100.${index}`),
    }),
  );
  expect(new Set([...unsigned, ...badlySigned])).toEqual(new Set([401]));
  // The forge's signed deliveries still get through, up to the app's limit.
  expect(await repeat(limit, () => ping(name, secret))).toEqual(Array(limit).fill(200));
  const refused = await ping(name, secret);
  await expectRefusal(
    refused,
    429,
    /^Too many webhook deliveries for this app\. Try again in \d+ seconds?\.$/,
  );
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  const quiet = await appWithWebhook('quiet');
  expect((await ping(quiet.name, quiet.secret)).status).toBe(200);
});

test('failed webhook deliveries are limited per address, apart from signed ones', async () => {
  const { name, secret } = await appWithWebhook('target');
  const address = '203.0.113.210';
  const { limit } = rateLimits.webhookFailuresPerAddress;
  // Deliveries to an app that does not exist count as failures too.
  const statuses = await repeat(limit, (index) =>
    deliver(index % 2 === 0 ? name : 'no-such-app', '{}', from(address)),
  );
  expect(new Set(statuses)).toEqual(new Set([401, 404]));
  await expectRefusal(
    await deliver(name, '{}', from(address)),
    429,
    /^Too many failed webhook deliveries from your address\. Try again in \d+ seconds?\.$/,
  );
  expect((await deliver(name, '{}', from('203.0.113.211'))).status).toBe(401);
  expect((await ping(name, secret)).status).toBe(200);
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
