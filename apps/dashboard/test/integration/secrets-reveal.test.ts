// Revealing an app's secrets: the TOML as saved, for developers and owners of its workspace only,
// never cached, and audited with the key names (never the values).
import { randomUUID } from 'node:crypto';
import { listAuditEntries } from '@cove/shared/audit/audit-log';
import { createApiToken } from '@cove/shared/auth/api-tokens';
import { errorResponse, revealedSecrets } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import type { MemberRole } from '@cove/shared/db/schema/identity';
import type { TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import * as revealRoute from '../../app/api/v1/apps/[name]/secrets/reveal/route';
import * as secretsRoute from '../../app/api/v1/apps/[name]/secrets/route';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';
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

const planted = `cove-reveal-${randomUUID()}`;
const toml = `# kept as written\nGREETING = "${planted}"\n\n[database]\npassword = "${planted}-db"\n`;

async function ownerWithSecrets() {
  const account = await signUpWithToken();
  const app = await createTestApp(account.token, 'reveal');
  const saved = await call(secretsRoute.PUT, {
    method: 'PUT',
    path: `/apps/${app.name}/secrets`,
    params: { name: app.name },
    token: account.token,
    rawBody: toml,
    headers: { 'content-type': 'text/plain' },
  });
  expect(saved.status).toBe(200);
  return { ...account, ...app };
}

/** Another person, added to the owner's workspace with `role`, and their token there. */
async function memberOf(workspaceId: string, role: MemberRole) {
  const person = await signUpWithToken();
  await context.db.insert(schema.memberships).values({ workspaceId, userId: person.userId, role });
  const { token } = await createApiToken(context.db, { workspaceId, userId: person.userId, name: role });
  return { ...person, token };
}

function reveal(name: string, auth: { token?: string; cookie?: string; origin?: string }) {
  return call(revealRoute.POST, {
    method: 'POST',
    path: `/apps/${name}/secrets/reveal`,
    params: { name },
    ...(auth.token ? { token: auth.token } : {}),
    ...(auth.cookie ? { cookie: auth.cookie } : {}),
    headers: auth.origin ? { origin: auth.origin } : {},
  });
}

test('the owner and a developer see the TOML as saved, uncached, and each reveal is audited by key', async () => {
  const owner = await ownerWithSecrets();
  const developer = await memberOf(owner.workspaceId, 'developer');

  const response = await reveal(owner.name, { token: owner.token });
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(revealedSecrets.parse(await response.json())).toMatchObject({
    toml,
    keys: ['GREETING', 'database'],
    version: 1,
  });

  // From the dashboard's page: the session cookie, sent from the dashboard's own origin.
  const fromPage = await reveal(owner.name, { cookie: owner.cookie, origin: dashboardOrigin });
  expect(revealedSecrets.parse(await fromPage.json()).toml).toBe(toml);

  const byDeveloper = await reveal(owner.name, { token: developer.token });
  expect(byDeveloper.status).toBe(200);
  expect(revealedSecrets.parse(await byDeveloper.json()).toml).toBe(toml);

  const entries = await listAuditEntries(context.db, owner.workspaceId, { appId: owner.appId });
  expect(entries.map((entry) => [entry.action, entry.keyNames, entry.actorUserId])).toEqual([
    ['secrets.reveal', ['GREETING', 'database'], developer.userId],
    ['secrets.reveal', ['GREETING', 'database'], owner.userId],
    ['secrets.reveal', ['GREETING', 'database'], owner.userId],
    ['secrets.replace', ['GREETING', 'database'], owner.userId],
  ]);
  expect(JSON.stringify(entries)).not.toContain(planted);
});

test('a viewer is refused (403), and the refusal reveals and audits nothing', async () => {
  const owner = await ownerWithSecrets();
  const viewer = await memberOf(owner.workspaceId, 'viewer');
  const response = await reveal(owner.name, { token: viewer.token });
  expect(response.status).toBe(403);
  const text = await response.text();
  expect(text).not.toContain(planted);
  expect(errorResponse.parse(JSON.parse(text)).error.message).toMatch(/developer role/);
  const entries = await listAuditEntries(context.db, owner.workspaceId, { appId: owner.appId });
  expect(entries.map((entry) => entry.action)).toEqual(['secrets.replace']);
});

test("another workspace's owner gets 404, as if the app did not exist", async () => {
  const owner = await ownerWithSecrets();
  const stranger = await signUpWithToken();
  const response = await reveal(owner.name, { token: stranger.token });
  expect(response.status).toBe(404);
  expect(await response.text()).not.toContain(planted);
  expect(await listAuditEntries(context.db, stranger.workspaceId)).toEqual([]);
});

test('a cookie-authenticated reveal from another origin is refused', async () => {
  const owner = await ownerWithSecrets();
  const response = await reveal(owner.name, { cookie: owner.cookie, origin: 'http://evil.example' });
  expect(response.status).toBe(403);
  expect(await response.text()).not.toContain(planted);
});

test('an app without secrets reveals an empty document and audits nothing', async () => {
  const account = await signUpWithToken();
  const app = await createTestApp(account.token, 'bare');
  const response = await reveal(app.name, { token: account.token });
  expect(revealedSecrets.parse(await response.json())).toEqual({
    toml: '',
    keys: [],
    version: null,
    updatedAt: null,
  });
  expect(await listAuditEntries(context.db, account.workspaceId)).toEqual([]);
});

test('openapi.json documents the reveal route', async () => {
  const document = z
    .object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) })
    .parse(await openapiRoute.GET().json());
  const revealPath = document.paths['/api/v1/apps/{name}/secrets/reveal'] ?? {};
  expect(Object.keys(revealPath)).toEqual(['post']);
  expect(JSON.stringify(revealPath.post)).toContain('RevealedSecrets');
});
