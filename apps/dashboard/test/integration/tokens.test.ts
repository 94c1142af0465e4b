// API tokens (security review M5): listed without their secret, revoked at once, read-only scope,
// expiry, and never minted by another token.
import { createApiToken } from '@cove/shared/auth/api-tokens';
import { listTokensResponse } from '@cove/shared/contracts/api';
import type { TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as sessionRoute from '../../app/api/v1/session/route';
import * as tokenRoute from '../../app/api/v1/tokens/[id]/route';
import * as tokensRoute from '../../app/api/v1/tokens/route';
import {
  call,
  dashboardOrigin,
  signUpWithToken,
  startDashboardContext,
  stopDashboardContext,
} from './harness';

let context: TestContext;
beforeAll(async () => {
  context = await startDashboardContext();
});
afterAll(async () => {
  await stopDashboardContext(context);
});

const asSession = (cookie: string) => ({ cookie, headers: { origin: dashboardOrigin } });

test('a bearer token cannot create tokens; a session can, with a scope and an expiry', async () => {
  const account = await signUpWithToken();
  const byToken = await call(tokensRoute.POST, {
    method: 'POST',
    path: '/tokens',
    params: {},
    token: account.token,
    body: { name: 'minted-by-token' },
  });
  expect(byToken.status).toBe(403);
  const bySession = await call(tokensRoute.POST, {
    method: 'POST',
    path: '/tokens',
    params: {},
    ...asSession(account.cookie),
    body: { name: 'ci', scope: 'read', expiresInDays: 30 },
  });
  expect(bySession.status).toBe(201);
  expect(await bySession.json()).toMatchObject({ name: 'ci', scope: 'read', expiresAt: expect.any(String) });
});

test("GET /tokens lists the caller's own tokens without their secrets", async () => {
  const account = await signUpWithToken();
  const other = await signUpWithToken();
  const listed = await call(tokensRoute.GET, { path: '/tokens', params: {}, token: account.token });
  expect(listed.status).toBe(200);
  const text = await listed.text();
  expect(text).not.toContain(account.token);
  expect(text).not.toContain(other.token);
  const { tokens } = listTokensResponse.parse(JSON.parse(text));
  expect(tokens).toEqual([
    expect.objectContaining({
      name: 'tests',
      scope: 'full',
      expiresAt: null,
      lastUsedAt: expect.any(String),
    }),
  ]);
});

test('a revoked token is refused at once; nobody else can revoke it', async () => {
  const account = await signUpWithToken();
  const other = await signUpWithToken();
  const listed = await call(tokensRoute.GET, { path: '/tokens', params: {}, ...asSession(account.cookie) });
  const [token] = listTokensResponse.parse(await listed.json()).tokens;
  if (!token) throw new Error('no token listed');
  const foreign = await call(tokenRoute.DELETE, {
    method: 'DELETE',
    path: `/tokens/${token.id}`,
    params: { id: token.id },
    token: other.token,
  });
  expect(foreign.status).toBe(404);
  expect((await call(sessionRoute.GET, { path: '/session', params: {}, token: account.token })).status).toBe(
    200,
  );
  const revoked = await call(tokenRoute.DELETE, {
    method: 'DELETE',
    path: `/tokens/${token.id}`,
    params: { id: token.id },
    ...asSession(account.cookie),
  });
  expect(revoked.status).toBe(200);
  expect((await call(sessionRoute.GET, { path: '/session', params: {}, token: account.token })).status).toBe(
    401,
  );
});

test('a read token may GET but not change anything', async () => {
  const account = await signUpWithToken();
  const { token } = await createApiToken(context.db, {
    workspaceId: account.workspaceId,
    userId: account.userId,
    name: 'read',
    scope: 'read',
  });
  expect((await call(appsRoute.GET, { path: '/apps', params: {}, token })).status).toBe(200);
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name: 'read-scope', repoUrl: 'http://127.0.0.1:9/repo.git' },
  });
  expect(created.status).toBe(403);
});

test('an expired token is refused', async () => {
  const account = await signUpWithToken();
  const createdLongAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  const { token } = await createApiToken(
    context.db,
    { workspaceId: account.workspaceId, userId: account.userId, name: 'old', expiresInDays: 1 },
    createdLongAgo,
  );
  expect((await call(sessionRoute.GET, { path: '/session', params: {}, token })).status).toBe(401);
});
