// lifecycle/ against a real Postgres and Redis: each step locks, checks, writes and records; a
// refused step changes nothing and says why; going live moves rows and route together.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { schema } from '../../src/db/client';
import { markCrashed, markSleeping, markWaking } from '../../src/lifecycle/app-status';
import {
  claimBuild,
  markDeploying,
  queueDeployment,
  recordAppCreated,
  showProgressOnApp,
} from '../../src/lifecycle/deployments';
import { goLive, switchContainer } from '../../src/lifecycle/go-live';
import { keptTransitionsPerApp, listAppHistory, pruneAppHistory } from '../../src/lifecycle/history';
import { builder, changeAppStatus, user, webhook } from '../../src/lifecycle/record';
import { routeReplicas, setReplicaCount } from '../../src/lifecycle/replicas';
import { readRoute } from '../../src/routing/route-table';
import { createTestContext, type TestContext } from '../../src/testing/context';

let context: TestContext;
let deps: { db: TestContext['db']; redis: TestContext['redis']; config: { COVE_INSTANCE: string } };
let workspaceId: string;
let userId: string;

beforeAll(async () => {
  context = await createTestContext();
  deps = { db: context.db, redis: context.redis, config: { COVE_INSTANCE: context.instance } };
  const [workspace] = await context.db.insert(schema.workspaces).values({ name: 'w' }).returning();
  const [person] = await context.db
    .insert(schema.users)
    .values({ email: 'dev@example.com', passwordHash: 'x' })
    .returning();
  if (!workspace || !person) throw new Error('no rows');
  workspaceId = workspace.id;
  userId = person.id;
});

afterAll(async () => {
  await context?.close();
});

async function newApp(name: string) {
  const [app] = await context.db
    .insert(schema.apps)
    .values({
      workspaceId,
      name,
      repoUrl: 'http://git/x.git',
      branch: 'main',
      mainFile: 'a.py',
      webhookSecretCiphertext: 'x',
    })
    .returning();
  if (!app) throw new Error('no app');
  await recordAppCreated(context.db, app, user(userId));
  const deployment = await queueDeployment(
    context.db,
    { appId: app.id, workspaceId, trigger: 'create', branch: 'main' },
    { by: user(userId), reason: 'Created by hand.' },
  );
  return { app, deployment };
}

async function appStatus(appId: string) {
  const [row] = await context.db.select().from(schema.apps).where(eq(schema.apps.id, appId));
  return row;
}

test('a first deploy walks queued → building → deploying → running, each step recorded with who and why', async () => {
  const { app, deployment } = await newApp('first');
  expect(await claimBuild(context.db, deployment.id)).toBe(true);
  await showProgressOnApp(context.db, app, 'building', 'Building the app.');
  await markDeploying(context.db, deployment.id, { imageTag: 'tag', imageId: 'sha256:abc' });
  await showProgressOnApp(context.db, app, 'deploying', 'Starting the new version.');
  const result = await goLive(deps, {
    appId: app.id,
    appName: app.name,
    deploymentId: deployment.id,
    container: { id: 'c1', endpoint: { host: '127.0.0.1', port: 40001 }, node: 'host-a' },
  });
  expect(result).toEqual({ outcome: 'live', previous: null });
  expect(await appStatus(app.id)).toMatchObject({ status: 'running', liveDeploymentId: deployment.id });
  expect(await readRoute(context.redis, context.instance, app.name)).toEqual({
    appId: app.id,
    appName: app.name,
    status: 'running',
    upstream: { host: '127.0.0.1', port: 40001 },
    replicas: [{ id: 'c1', host: '127.0.0.1', port: 40001, node: 'host-a' }],
  });

  const history = (await listAppHistory(context.db, workspaceId, app.id)).reverse();
  expect(history.map((entry) => [entry.subject, entry.fromStatus, entry.toStatus, entry.actor])).toEqual([
    ['app', null, 'queued', 'user'],
    ['deployment', null, 'queued', 'user'],
    ['deployment', 'queued', 'building', 'builder'],
    ['app', 'queued', 'building', 'builder'],
    ['deployment', 'building', 'deploying', 'builder'],
    ['app', 'building', 'deploying', 'builder'],
    ['deployment', 'deploying', 'running', 'builder'],
    ['app', 'deploying', 'running', 'builder'],
  ]);
  expect(history[0]?.actorUserId).toBe(userId);
  expect(history[3]?.reason).toBe('Building the app.');
  // Another workspace reads none of it.
  const [other] = await context.db.insert(schema.workspaces).values({ name: 'other' }).returning();
  expect(await listAppHistory(context.db, other?.id ?? '', app.id)).toEqual([]);
});

test('a refused step changes nothing, records nothing, and says why', async () => {
  const { app } = await newApp('refused');
  const before = await listAppHistory(context.db, workspaceId, app.id);
  const result = await changeAppStatus(context.db, {
    appId: app.id,
    to: 'sleeping',
    by: webhook,
    reason: 'no',
  });
  expect(result).toEqual({
    isChanged: false,
    refusal: 'An app cannot go from queued to sleeping: only a running app goes to sleep.',
  });
  expect((await appStatus(app.id))?.status).toBe('queued');
  expect(await listAppHistory(context.db, workspaceId, app.id)).toEqual(before);
});

test('sleep, wake, crash and a fresh container: the app and its route follow, with the live version kept', async () => {
  const { app, deployment } = await newApp('sleeper');
  await claimBuild(context.db, deployment.id);
  await markDeploying(context.db, deployment.id, { imageTag: null, imageId: 'sha256:abc' });
  await goLive(deps, {
    appId: app.id,
    appName: app.name,
    deploymentId: deployment.id,
    container: { id: 'c1', endpoint: { host: '127.0.0.1', port: 40002 }, node: 'host-a' },
  });
  const live = { id: app.id, name: app.name };
  // Only a running app is frozen: from 'running' alone.
  expect(
    await markSleeping(deps, {
      app: live,
      liveDeploymentId: deployment.id,
      from: ['running'],
      message: 'Frozen.',
      by: { kind: 'reconciler' },
    }),
  ).toBe(true);
  expect((await readRoute(context.redis, context.instance, app.name))?.status).toBe('sleeping');
  expect(
    await markSleeping(deps, {
      app: live,
      liveDeploymentId: deployment.id,
      from: ['running'],
      message: 'Frozen.',
      by: { kind: 'reconciler' },
    }),
  ).toBe(false);
  expect(
    await markWaking(context.db, { appId: app.id, liveDeploymentId: deployment.id, by: { kind: 'builder' } }),
  ).toBe(true);
  expect(
    await markCrashed(context.db, { appId: app.id, liveDeploymentId: deployment.id, message: 'It stopped.' }),
  ).toBe(true);
  expect(await appStatus(app.id)).toMatchObject({
    status: 'crashed',
    crashCount: 1,
    statusMessage: 'It stopped.',
  });
  // Another deployment's container never takes over.
  expect(
    await switchContainer(deps, {
      app: live,
      liveDeploymentId: app.id,
      container: { id: 'c9', endpoint: { host: '127.0.0.1', port: 40009 }, node: 'host-a' },
      crashCount: 'reset',
      reason: 'x',
    }),
  ).toBe(false);
  expect(
    await switchContainer(deps, {
      app: live,
      liveDeploymentId: deployment.id,
      container: { id: 'c2', endpoint: { host: '127.0.0.1', port: 40003 }, node: 'host-a' },
      crashCount: 'keep',
      reason: 'Recovered.',
    }),
  ).toBe(true);
  expect(await appStatus(app.id)).toMatchObject({ status: 'running', crashCount: 1, statusMessage: null });
  expect((await readRoute(context.redis, context.instance, app.name))?.upstream).toEqual({
    host: '127.0.0.1',
    port: 40003,
  });
  const [row] = await context.db
    .select()
    .from(schema.deployments)
    .where(eq(schema.deployments.id, deployment.id));
  expect(row).toMatchObject({ containerId: 'c2', hostPort: 40003, status: 'running' });
  const steps = (await listAppHistory(context.db, workspaceId, app.id))
    .filter((entry) => entry.subject === 'app')
    .map((entry) => `${entry.fromStatus}→${entry.toStatus}`);
  expect(steps.slice(0, 4)).toEqual([
    'crashed→running',
    'waking→crashed',
    'sleeping→waking',
    'running→sleeping',
  ]);
});

test('a deployment older than the live one is superseded instead of going live', async () => {
  const { app, deployment: older } = await newApp('outdated');
  const newer = await queueDeployment(
    context.db,
    { appId: app.id, workspaceId, trigger: 'push', branch: 'main' },
    { by: webhook, reason: 'A push.' },
  );
  for (const deployment of [older, newer]) {
    await claimBuild(context.db, deployment.id);
    await markDeploying(context.db, deployment.id, { imageTag: null, imageId: 'sha256:abc' });
  }
  const live = await goLive(deps, {
    appId: app.id,
    appName: app.name,
    deploymentId: newer.id,
    container: { id: 'n', endpoint: { host: '127.0.0.1', port: 40004 }, node: 'host-a' },
  });
  expect(live.outcome).toBe('live');
  const late = await goLive(deps, {
    appId: app.id,
    appName: app.name,
    deploymentId: older.id,
    container: { id: 'o', endpoint: { host: '127.0.0.1', port: 40005 }, node: 'host-a' },
  });
  expect(late).toEqual({ outcome: 'outdated' });
  const [row] = await context.db.select().from(schema.deployments).where(eq(schema.deployments.id, older.id));
  expect(row?.status).toBe('superseded');
  expect((await readRoute(context.redis, context.instance, app.name))?.upstream?.port).toBe(40004);
});

test("pruning the history drops changes past the retention, keeps each app's newest, and nothing recent", async () => {
  const aged = (await newApp('aged')).app;
  const recent = (await newApp('recent')).app;
  const dayMs = 24 * 60 * 60 * 1000;
  const rows = (appId: string, count: number, at: Date) =>
    Array.from({ length: count }, (_, index) => ({
      appId,
      workspaceId,
      subject: 'app' as const,
      fromStatus: index % 2 === 0 ? 'running' : 'sleeping',
      toStatus: index % 2 === 0 ? 'sleeping' : 'running',
      actor: 'builder' as const,
      reason: `change ${index}`,
      createdAt: at,
    }));
  await context.db
    .insert(schema.appTransitions)
    .values(rows(aged.id, 30, new Date(Date.now() - 100 * dayMs)));
  await context.db.insert(schema.appTransitions).values(rows(recent.id, 30, new Date()));
  const recentBefore = await listAppHistory(context.db, workspaceId, recent.id);

  await pruneAppHistory(context.db, new Date(Date.now() - 90 * dayMs));

  // The aged app keeps its newest changes and its two recent ones (created, first deploy queued).
  const agedAfter = (await listAppHistory(context.db, workspaceId, aged.id)).map((entry) => entry.reason);
  expect(agedAfter.filter((reason) => reason.startsWith('change '))).toEqual(
    Array.from({ length: keptTransitionsPerApp }, (_, index) => `change ${29 - index}`),
  );
  expect(agedAfter).toHaveLength(keptTransitionsPerApp + 2);
  expect(await listAppHistory(context.db, workspaceId, recent.id)).toEqual(recentBefore);
});

test('a deployment goes live on all its replicas; the count and the routed replicas change only while it runs that version', async () => {
  const { app, deployment } = await newApp('twins');
  expect(await claimBuild(context.db, deployment.id)).toBe(true);
  await markDeploying(context.db, deployment.id, { imageTag: 'tag', imageId: 'sha256:abc' });
  const replica = (id: string, port: number) => ({
    id,
    endpoint: { host: '127.0.0.1', port },
    node: 'host-a',
  });
  await goLive(deps, {
    appId: app.id,
    appName: app.name,
    deploymentId: deployment.id,
    container: replica('c1', 40011),
    replicas: [replica('c2', 40012)],
  });
  expect(await appStatus(app.id)).toMatchObject({ status: 'running', replicaCount: 2 });
  expect((await readRoute(context.redis, context.instance, app.name))?.replicas).toEqual([
    { id: 'c1', host: '127.0.0.1', port: 40011, node: 'host-a' },
    { id: 'c2', host: '127.0.0.1', port: 40012, node: 'host-a' },
  ]);

  const live = { id: app.id, name: app.name };
  expect(
    await setReplicaCount(deps, {
      app: live,
      liveDeploymentId: deployment.id,
      count: 3,
      by: builder,
      reason: 'Scaled up to 3 replicas.',
    }),
  ).toBe(true);
  const serving = [replica('c1', 40011), replica('c2', 40012), replica('c3', 40013)];
  expect(
    await routeReplicas(deps, { app: live, liveDeploymentId: deployment.id, serving, by: builder }),
  ).toBe(true);
  expect((await readRoute(context.redis, context.instance, app.name))?.replicas).toHaveLength(3);
  const history = await listAppHistory(context.db, workspaceId, app.id);
  expect(history[0]).toMatchObject({
    fromStatus: 'running',
    toStatus: 'running',
    reason: 'Scaled up to 3 replicas.',
  });

  // Asleep, the count goes back to the minimum, and neither step applies any more.
  expect(
    await markSleeping(deps, {
      app: live,
      liveDeploymentId: deployment.id,
      from: ['running'],
      message: 'Frozen.',
      by: builder,
    }),
  ).toBe(true);
  expect(await appStatus(app.id)).toMatchObject({ status: 'sleeping', replicaCount: 1 });
  expect(
    await setReplicaCount(deps, {
      app: live,
      liveDeploymentId: deployment.id,
      count: 2,
      by: builder,
      reason: 'x',
    }),
  ).toBe(false);
  expect(
    await routeReplicas(deps, { app: live, liveDeploymentId: deployment.id, serving, by: builder }),
  ).toBe(false);
  expect(await readRoute(context.redis, context.instance, app.name)).toEqual({
    appId: app.id,
    appName: app.name,
    status: 'sleeping',
  });
});
