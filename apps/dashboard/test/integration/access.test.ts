import { exchangeAccessToken, readAppSession } from '@cove/shared/access/app-sessions';
import { isAppPrivate } from '@cove/shared/access/private-apps';
import { verifyAccessToken } from '@cove/shared/access/tokens';
import { listAuditEntries } from '@cove/shared/audit/audit-log';
import { createSession } from '@cove/shared/auth/accounts';
import { markEmailVerified } from '@cove/shared/auth/email-verification';
import { hashToken } from '@cove/shared/auth/tokens';
import {
  appAccessView,
  errorResponse,
  replaceAppAccessResponse,
  updateAppResponse,
} from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import type { TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as accessPage from '../../app/access/route';
import * as appAccessRoute from '../../app/api/v1/apps/[name]/access/route';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as logoutRoute from '../../app/api/v1/auth/logout/route';
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
  context = await startDashboardContext();
});
afterAll(async () => {
  await stopDashboardContext(context);
});

type Account = Awaited<ReturnType<typeof signUpWithToken>>;

async function privateApp(owner: Account) {
  const app = await createTestApp(owner.token, 'priv');
  const response = await setVisibility(owner.token, app.name, 'private');
  expect(response.status).toBe(200);
  return app;
}

function setVisibility(token: string, name: string, visibility: string) {
  return call(appRoute.PATCH, {
    method: 'PATCH',
    path: `/apps/${name}`,
    params: { name },
    token,
    body: { visibility },
  });
}

function putAccess(token: string, name: string, body: unknown) {
  return call(appAccessRoute.PUT, {
    method: 'PUT',
    path: `/apps/${name}/access`,
    params: { name },
    token,
    body,
  });
}

/** The dashboard's /access page, as the proxy sends a browser there. */
async function openAccessPage(query: Record<string, string>, cookie?: string): Promise<string> {
  const request = new Request(`${dashboardOrigin}/access?${new URLSearchParams(query)}`, {
    headers: cookie ? { cookie } : {},
  });
  const response = await accessPage.GET(request, { params: Promise.resolve({}) });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

/** As if the person had opened the link mailed at sign-up: only verified addresses count for lists. */
async function verifyEmail(userId: string) {
  await markEmailVerified(context.db, userId);
}

async function addMember(workspaceId: string, userId: string, role: 'owner' | 'developer' | 'viewer') {
  await context.db.insert(schema.memberships).values({ workspaceId, userId, role });
}

describe('visibility and the access list', () => {
  test('visibility changes apply at once in the proxy set, and say so', async () => {
    const owner = await signUpWithToken();
    const app = await createTestApp(owner.token, 'vis');
    expect(await isAppPrivate(context.redis, context.instance, app.appId)).toBe(false);
    const made = updateAppResponse.parse(
      await (await setVisibility(owner.token, app.name, 'private')).json(),
    );
    expect(made.app.visibility).toBe('private');
    expect(made.isRebuilding).toBe(false);
    expect(made.message).toMatch(/now private: only signed-in members/);
    expect(await isAppPrivate(context.redis, context.instance, app.appId)).toBe(true);
    await setVisibility(owner.token, app.name, 'public');
    expect(await isAppPrivate(context.redis, context.instance, app.appId)).toBe(false);
    const wrong = await setVisibility(owner.token, app.name, 'secret');
    expect(wrong.status).toBe(400);
    expect(errorResponse.parse(await wrong.json()).error.fields?.visibility).toMatch(/"public".*"private"/);
  });

  test('visibility changes are audited with who made them; settings left as they were are not', async () => {
    const owner = await signUpWithToken();
    const app = await createTestApp(owner.token, 'audit');
    await setVisibility(owner.token, app.name, 'private');
    await setVisibility(owner.token, app.name, 'private');
    await setVisibility(owner.token, app.name, 'public');
    const entries = await listAuditEntries(context.db, owner.workspaceId, { appId: app.appId });
    expect(
      entries.reverse().map((entry) => [entry.action, entry.keyNames, entry.actorUserId, entry.appName]),
    ).toEqual([
      ['access.visibility', ['public to private'], owner.userId, app.name],
      ['access.visibility', ['private to public'], owner.userId, app.name],
    ]);
  });

  test('the list is saved case-folded without duplicates, and refuses what is not an email', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const saved = await putAccess(owner.token, app.name, {
      emails: ['Bo@Example.com', 'ada@example.com', 'bo@example.com'],
    });
    expect(saved.status).toBe(200);
    const body = replaceAppAccessResponse.parse(await saved.json());
    expect(body.emails.map((entry) => entry.email)).toEqual(['ada@example.com', 'bo@example.com']);
    expect(body.message).toMatch(/2 people on the access list/);
    const bad = await putAccess(owner.token, app.name, { emails: ['not an email'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/Enter valid email addresses/);
    const read = await call(appAccessRoute.GET, {
      path: `/apps/${app.name}/access`,
      params: { name: app.name },
      token: owner.token,
    });
    expect(appAccessView.parse(await read.json())).toMatchObject({
      visibility: 'private',
      emails: body.emails,
    });
  });

  test('only developers and owners change it; other workspaces do not see it', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const viewer = await signUpWithToken();
    await addMember(owner.workspaceId, viewer.userId, 'viewer');
    const outsider = await signUpWithToken();
    // The viewer's token is for their own workspace: sign them into the owner's through a session row.
    const session = await createSession(context.db, {
      userId: viewer.userId,
      workspaceId: owner.workspaceId,
    });
    const asViewer = await call(appAccessRoute.PUT, {
      method: 'PUT',
      path: `/apps/${app.name}/access`,
      params: { name: app.name },
      cookie: `cove_session=${session.token}`,
      headers: { origin: dashboardOrigin },
      body: { emails: ['x@example.com'] },
    });
    expect(asViewer.status).toBe(403);
    const fromOutside = await call(appAccessRoute.GET, {
      path: `/apps/${app.name}/access`,
      params: { name: app.name },
      token: outsider.token,
    });
    expect(fromOutside.status).toBe(404);
  });
});

describe('the access page', () => {
  test('sends a signed-out browser to sign in, then back to the same place', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const location = await openAccessPage({ app: app.name, return: '/page?q=1' });
    const login = new URL(location, dashboardOrigin);
    expect(login.pathname).toBe('/login');
    expect(login.searchParams.get('next')).toBe(
      `/access?${new URLSearchParams({ app: app.name, return: '/page?q=1' })}`,
    );
  });

  test('gives a member a one-minute token for this app, user and dashboard session', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const location = new URL(await openAccessPage({ app: app.name, return: '/page?q=1' }, owner.cookie));
    expect(`${location.origin}${location.pathname}`).toBe(`http://${app.name}.localhost/__cove/auth`);
    expect(location.searchParams.get('return')).toBe('/page?q=1');
    const check = verifyAccessToken(
      location.searchParams.get('token') ?? '',
      [context.env.COVE_MASTER_KEY ?? ''],
      {
        appName: app.name,
      },
    );
    if (!check.isValid) throw new Error(`token refused: ${check.reason}`);
    expect(check.claims).toMatchObject({
      appId: app.appId,
      userId: owner.userId,
      email: owner.email,
      dashboardSessionId: hashToken(owner.cookie.split('=')[1] ?? ''),
    });
  });

  test('lets in any member (a viewer too) and allow-listed emails, whatever their case', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const viewer = await signUpWithToken();
    await addMember(owner.workspaceId, viewer.userId, 'viewer');
    const guest = await signUpWithToken();
    await verifyEmail(guest.userId);
    await putAccess(owner.token, app.name, { emails: [guest.email.toUpperCase()] });
    for (const person of [viewer, guest]) {
      expect(await openAccessPage({ app: app.name }, person.cookie)).toMatch(
        new RegExp(`^http://${app.name}\\.localhost/__cove/auth\\?token=`),
      );
    }
  });

  test('refuses an outsider with a page that names the app', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const outsider = await signUpWithToken();
    const location = await openAccessPage({ app: app.name, return: '/x' }, outsider.cookie);
    expect(location).toBe(`/access/denied?${new URLSearchParams({ app: app.name, return: '/x' })}`);
    // Once listed (and verified), the same person gets in.
    await verifyEmail(outsider.userId);
    await putAccess(owner.token, app.name, { emails: [outsider.email] });
    expect(await openAccessPage({ app: app.name }, outsider.cookie)).toMatch(/__cove\/auth\?token=/);
  });

  test('sends anyone straight to a public app, and never off-site', async () => {
    const owner = await signUpWithToken();
    const app = await createTestApp(owner.token, 'pub');
    const outsider = await signUpWithToken();
    expect(await openAccessPage({ app: app.name, return: '/a?b=1' }, outsider.cookie)).toBe(
      `http://${app.name}.localhost/a?b=1`,
    );
    expect(await openAccessPage({ app: app.name, return: '//evil.example/' }, outsider.cookie)).toBe(
      `http://${app.name}.localhost/`,
    );
    expect(await openAccessPage({ app: 'Not A Name' }, outsider.cookie)).toBe('/apps');
  });

  test('signing out ends the app sessions made from that dashboard session', async () => {
    const owner = await signUpWithToken();
    const app = await privateApp(owner);
    const location = new URL(await openAccessPage({ app: app.name }, owner.cookie));
    const check = verifyAccessToken(
      location.searchParams.get('token') ?? '',
      [context.env.COVE_MASTER_KEY ?? ''],
      {
        appName: app.name,
      },
    );
    if (!check.isValid) throw new Error('token refused');
    const exchanged = await exchangeAccessToken(context.redis, context.instance, check.claims);
    if (exchanged.kind !== 'ok') throw new Error(exchanged.kind);
    expect(await readAppSession(context.redis, context.instance, exchanged.cookieValue)).not.toBeNull();
    const out = await call(logoutRoute.POST, {
      method: 'POST',
      path: '/auth/logout',
      params: {},
      cookie: owner.cookie,
      headers: { origin: dashboardOrigin },
    });
    expect(out.status).toBe(200);
    expect(await readAppSession(context.redis, context.instance, exchanged.cookieValue)).toBeNull();
    expect(new URL(await openAccessPage({ app: app.name }, owner.cookie), dashboardOrigin).pathname).toBe(
      '/login',
    );
  });
});
