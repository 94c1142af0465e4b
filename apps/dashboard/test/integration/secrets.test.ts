import { randomUUID } from 'node:crypto';
import { listAuditEntries } from '@cove/shared/audit/audit-log';
import { errorResponse, replaceSecretsResponse, secretsView } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import type { TestContext } from '@cove/shared/testing/context';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import * as secretsRoute from '../../app/api/v1/apps/[name]/secrets/route';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;
let operations: Queue;

beforeAll(async () => {
  context = await startDashboardContext();
  operations = new Queue(jobs.appOperation.queue, {
    connection: context.redis,
    prefix: queuePrefix(context.instance),
  });
});
afterAll(async () => {
  await operations?.close();
  await stopDashboardContext(context);
});

const planted = `cove-planted-${randomUUID()}`;

async function newAccountWithApp() {
  const account = await signUpWithToken();
  return { ...account, ...(await createTestApp(account.token, 'sec')) };
}

function putSecrets(token: string, name: string, toml: string) {
  return call(secretsRoute.PUT, {
    method: 'PUT',
    path: `/apps/${name}/secrets`,
    params: { name },
    token,
    rawBody: toml,
    headers: { 'content-type': 'text/plain' },
  });
}

function getSecrets(token: string, name: string) {
  return call(secretsRoute.GET, { path: `/apps/${name}/secrets`, params: { name }, token });
}

test('PUT stores the TOML encrypted, GET lists the keys only, DELETE removes them; each change is audited without values', async () => {
  const account = await newAccountWithApp();
  const toml = `GREETING = "${planted}"\n\n[database]\npassword = "${planted}-db"\n`;
  const saved = await putSecrets(account.token, account.name, toml);
  expect(saved.status).toBe(200);
  const savedText = await saved.text();
  expect(savedText).not.toContain(planted);
  const savedBody = replaceSecretsResponse.parse(JSON.parse(savedText));
  expect(savedBody).toMatchObject({ keys: ['GREETING', 'database'], version: 1, isRestarting: false });

  const listed = await getSecrets(account.token, account.name);
  const listedText = await listed.text();
  expect(listedText).not.toContain(planted);
  expect(secretsView.parse(JSON.parse(listedText))).toMatchObject({
    keys: ['GREETING', 'database'],
    version: 1,
  });

  // At rest: neither the value nor the TOML is readable from the row.
  const [row] = await context.db
    .select()
    .from(schema.appSecrets)
    .where(eq(schema.appSecrets.appId, account.appId));
  expect(JSON.stringify(row)).not.toContain(planted);
  expect(row?.keyId).toMatch(/^[0-9a-f]{16}$/);

  const replaced = replaceSecretsResponse.parse(
    await (await putSecrets(account.token, account.name, 'ONLY = "one"\n')).json(),
  );
  expect(replaced).toMatchObject({ keys: ['ONLY'], version: 2 });

  const deleted = await call(secretsRoute.DELETE, {
    method: 'DELETE',
    path: `/apps/${account.name}/secrets`,
    params: { name: account.name },
    token: account.token,
  });
  expect(deleted.status).toBe(200);
  expect(secretsView.parse(await (await getSecrets(account.token, account.name)).json())).toEqual({
    keys: [],
    version: null,
    updatedAt: null,
  });

  const entries = await listAuditEntries(context.db, account.workspaceId, { appId: account.appId });
  expect(entries.map((entry) => [entry.action, entry.keyNames, entry.actorUserId])).toEqual([
    ['secrets.delete', ['ONLY'], account.userId],
    ['secrets.replace', ['ONLY'], account.userId],
    ['secrets.replace', ['GREETING', 'database'], account.userId],
  ]);
  expect(JSON.stringify(entries)).not.toContain(planted);
});

test('an invalid TOML is a 400 naming the line and the reason, and nothing is saved', async () => {
  const account = await newAccountWithApp();
  expect((await putSecrets(account.token, account.name, 'KEPT = "yes"\n')).status).toBe(200);
  const response = await putSecrets(account.token, account.name, `A = "1"\nB = "${planted}\nC = 3\n`);
  expect(response.status).toBe(400);
  const text = await response.text();
  expect(text).not.toContain(planted);
  const error = errorResponse.parse(JSON.parse(text)).error;
  expect(error.code).toBe('invalid_input');
  expect(error.message).toMatch(/line 2, column \d+: \w.+Nothing was saved/);
  expect(secretsView.parse(await (await getSecrets(account.token, account.name)).json())).toMatchObject({
    keys: ['KEPT'],
    version: 1,
  });
  expect(await listAuditEntries(context.db, account.workspaceId, { appId: account.appId })).toHaveLength(1);
});

test("another workspace's token can neither read nor change an app's secrets", async () => {
  const owner = await newAccountWithApp();
  const stranger = await newAccountWithApp();
  expect((await putSecrets(owner.token, owner.name, 'MINE = "x"\n')).status).toBe(200);
  expect((await getSecrets(stranger.token, owner.name)).status).toBe(404);
  expect((await putSecrets(stranger.token, owner.name, 'MINE = "stolen"\n')).status).toBe(404);
  const deleted = await call(secretsRoute.DELETE, {
    method: 'DELETE',
    path: `/apps/${owner.name}/secrets`,
    params: { name: owner.name },
    token: stranger.token,
  });
  expect(deleted.status).toBe(404);
  expect(secretsView.parse(await (await getSecrets(owner.token, owner.name)).json()).version).toBe(1);
  expect(await listAuditEntries(context.db, stranger.workspaceId)).toEqual([]);
});

test('a cookie-authenticated change from another origin is refused', async () => {
  const account = await newAccountWithApp();
  const response = await call(secretsRoute.PUT, {
    method: 'PUT',
    path: `/apps/${account.name}/secrets`,
    params: { name: account.name },
    cookie: account.cookie,
    headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
    rawBody: 'A = "1"\n',
  });
  expect(response.status).toBe(403);
});

test('saving secrets of a running app queues a restart with them', async () => {
  const account = await newAccountWithApp();
  const [deployment] = await context.db
    .select()
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, account.appId));
  await context.db
    .update(schema.apps)
    .set({ liveDeploymentId: deployment?.id ?? null })
    .where(eq(schema.apps.id, account.appId));
  const saved = replaceSecretsResponse.parse(
    await (await putSecrets(account.token, account.name, 'A = "1"\n')).json(),
  );
  expect(saved.isRestarting).toBe(true);
  expect(saved.message).toMatch(/restarts with them/);
  const waiting = await operations.getJobs(['waiting', 'delayed', 'prioritized']);
  expect(waiting.map((job) => job.data)).toContainEqual({ appId: account.appId, operation: 'apply-secrets' });
});

test('openapi.json lists the secrets routes with a text/plain body for PUT', async () => {
  const document = z
    .object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) })
    .parse(await openapiRoute.GET().json());
  const secretsPath = document.paths['/api/v1/apps/{name}/secrets'] ?? {};
  expect(Object.keys(secretsPath).sort()).toEqual(['delete', 'get', 'put']);
  expect(JSON.stringify(secretsPath.put)).toContain('"text/plain"');
});
