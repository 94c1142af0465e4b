// Cancel and rollback through the API: developers may, viewers may not, another workspace sees
// nothing. No builder runs here: the rows and the queued jobs are what a caller can observe.
import { randomUUID } from 'node:crypto';
import { appHistoryResponse, deploymentResponse, errorResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import type { TestContext } from '@cove/shared/testing/context';
import { Queue } from 'bullmq';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import * as cancelRoute from '../../app/api/v1/apps/[name]/deployments/[id]/cancel/route';
import * as rollbackRoute from '../../app/api/v1/apps/[name]/deployments/[id]/rollback/route';
import * as historyRoute from '../../app/api/v1/apps/[name]/history/route';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

const { apps, deployments, memberships } = schema;

let context: TestContext;
let builds: Queue;

beforeAll(async () => {
  context = await startDashboardContext();
  builds = new Queue(jobs.build.queue, { connection: context.redis, prefix: queuePrefix(context.instance) });
});
afterAll(async () => {
  await builds?.close();
  await stopDashboardContext(context);
});

async function newAccountWithApp() {
  const account = await signUpWithToken();
  return { ...account, ...(await createTestApp(account.token, 'dep')) };
}

type Account = Awaited<ReturnType<typeof newAccountWithApp>>;

function post(action: 'cancel' | 'rollback', token: string, name: string, id: string) {
  const handler = action === 'cancel' ? cancelRoute.POST : rollbackRoute.POST;
  return call(handler, {
    method: 'POST',
    path: `/apps/${name}/deployments/${id}/${action}`,
    params: { name, id },
    token,
  });
}

async function errorOf(response: Response) {
  return errorResponse.parse(await response.json()).error;
}

/** A deployment that went live once and was replaced: what a rollback may start again. */
async function insertServedDeployment(account: Account, commitSha: string) {
  const [row] = await context.db
    .insert(deployments)
    .values({
      appId: account.appId,
      workspaceId: account.workspaceId,
      trigger: 'push',
      branch: 'main',
      commitSha,
      commitMessage: 'A version that worked',
      commitAuthor: 'Ada Lovelace <ada@example.com>',
      status: 'superseded',
      pythonVersion: '3.11',
      imageTag: `cove-${context.instance}/${account.name}:${commitSha.slice(0, 12)}`,
      containerId: randomUUID(),
      finishedAt: new Date(),
    })
    .returning();
  if (!row) throw new Error('no deployment inserted');
  return row;
}

async function firstDeploymentOf(appId: string) {
  const [row] = await context.db.select().from(deployments).where(eq(deployments.appId, appId));
  if (!row) throw new Error('the app has no deployment');
  return row;
}

async function makeViewer(account: Account) {
  await context.db
    .update(memberships)
    .set({ role: 'viewer' })
    .where(and(eq(memberships.userId, account.userId), eq(memberships.workspaceId, account.workspaceId)));
}

test('a developer cancels a queued build; cancelling it again is a 409', async () => {
  const account = await newAccountWithApp();
  const queued = await firstDeploymentOf(account.appId);
  const response = await post('cancel', account.token, account.name, queued.id);
  expect(response.status).toBe(200);
  const { deployment } = deploymentResponse.parse(await response.json());
  expect(deployment.status).toBe('cancelled');
  expect(deployment.finishedAt).not.toBeNull();
  const [app] = await context.db.select().from(apps).where(eq(apps.id, account.appId));
  expect(app?.status).toBe('failed');
  expect(app?.statusMessage).toBe('The build was cancelled. Redeploy to start the app.');

  const again = await post('cancel', account.token, account.name, queued.id);
  expect(again.status).toBe(409);
  expect((await errorOf(again)).message).toBe(
    'This deployment is cancelled, not building: there is nothing to cancel.',
  );
});

test("the app's history says who created it and who cancelled its build, and why", async () => {
  const account = await newAccountWithApp();
  const queued = await firstDeploymentOf(account.appId);
  expect((await post('cancel', account.token, account.name, queued.id)).status).toBe(200);
  const response = await call(historyRoute.GET, {
    method: 'GET',
    path: `/apps/${account.name}/history`,
    params: { name: account.name },
    token: account.token,
  });
  expect(response.status).toBe(200);
  const { transitions } = appHistoryResponse.parse(await response.json());
  expect(transitions.map((entry) => [entry.subject, entry.fromStatus, entry.toStatus, entry.actor])).toEqual([
    ['app', 'queued', 'failed', 'user'],
    ['deployment', 'queued', 'cancelled', 'user'],
    ['deployment', null, 'queued', 'user'],
    ['app', null, 'queued', 'user'],
  ]);
  expect(transitions.every((entry) => entry.actorUserId === account.userId)).toBe(true);
  expect(transitions[1]?.reason).toBe('Cancelled before it went live; the previous version keeps serving.');
});

test('a rollback queues a new deployment of the earlier image, without a rebuild', async () => {
  const account = await newAccountWithApp();
  const served = await insertServedDeployment(account, 'a'.repeat(40));
  const response = await post('rollback', account.token, account.name, served.id);
  expect(response.status).toBe(202);
  const { deployment } = deploymentResponse.parse(await response.json());
  expect(deployment).toMatchObject({
    status: 'queued',
    trigger: 'rollback',
    commit: served.commitSha,
    commitMessage: 'A version that worked',
    image: served.imageTag,
    // Started from the same image: the same Python (the settings panel compares it with the saved one).
    pythonVersion: '3.11',
    hasServed: false,
  });
  expect(await builds.getJob(jobs.build.jobId({ deploymentId: deployment.id }))).toBeDefined();

  // Only a version that went live can be made live again, and not the one already live.
  const neverLive = await firstDeploymentOf(account.appId);
  const refused = await post('rollback', account.token, account.name, neverLive.id);
  expect(refused.status).toBe(409);
  expect((await errorOf(refused)).message).toMatch(/^Only a version that went live can be made live again/);
  await context.db.update(apps).set({ liveDeploymentId: served.id }).where(eq(apps.id, account.appId));
  const live = await post('rollback', account.token, account.name, served.id);
  expect(live.status).toBe(409);
  expect((await errorOf(live)).message).toBe('This version is already live.');
});

test('a viewer may neither cancel nor roll back', async () => {
  const account = await newAccountWithApp();
  const queued = await firstDeploymentOf(account.appId);
  const served = await insertServedDeployment(account, 'b'.repeat(40));
  await makeViewer(account);
  expect((await post('cancel', account.token, account.name, queued.id)).status).toBe(403);
  expect((await post('rollback', account.token, account.name, served.id)).status).toBe(403);
  expect((await firstDeploymentOf(account.appId)).status).toBe('queued');
});

test("another workspace's token sees neither the app nor its deployments", async () => {
  const owner = await newAccountWithApp();
  const stranger = await newAccountWithApp();
  const queued = await firstDeploymentOf(owner.appId);
  const served = await insertServedDeployment(owner, 'c'.repeat(40));
  for (const [action, id] of [
    ['cancel', queued.id],
    ['rollback', served.id],
  ] as const) {
    const byName = await post(action, stranger.token, owner.name, id);
    expect(byName.status).toBe(404);
    // The stranger's own app name with the owner's deployment id is not found either.
    const byId = await post(action, stranger.token, stranger.name, id);
    expect(byId.status).toBe(404);
  }
  expect((await firstDeploymentOf(owner.appId)).status).toBe('queued');
  const rows = await context.db.select().from(deployments).where(eq(deployments.appId, owner.appId));
  expect(rows).toHaveLength(2);
});

test('openapi.json lists cancel and rollback', async () => {
  const document = z
    .object({ paths: z.record(z.string(), z.unknown()) })
    .parse(await openapiRoute.GET().json());
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining([
      '/api/v1/apps/{name}/deployments/{id}/cancel',
      '/api/v1/apps/{name}/deployments/{id}/rollback',
    ]),
  );
});
