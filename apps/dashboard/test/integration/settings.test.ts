import { randomUUID } from 'node:crypto';
import { appView, errorResponse, listAppsResponse, updateAppResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import { readNameRedirect } from '@cove/shared/routing/name-redirects';
import { readRoute, writeRoute } from '@cove/shared/routing/route-table';
import { recordActivity } from '@cove/shared/sleep/activity';
import type { TestContext } from '@cove/shared/testing/context';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;
let builds: Queue;
let operations: Queue;

beforeAll(async () => {
  context = await startDashboardContext({ COVE_APP_MAX_MEMORY_MB: '2048', COVE_APP_MAX_CPUS: '2' });
  const connection = { connection: context.redis, prefix: queuePrefix(context.instance) };
  builds = new Queue(jobs.build.queue, connection);
  operations = new Queue(jobs.appOperation.queue, connection);
});
afterAll(async () => {
  await Promise.all([builds?.close(), operations?.close()]);
  await stopDashboardContext(context);
});

async function newAccount() {
  return (await signUpWithToken()).token;
}

async function newApp(token: string) {
  const app = await createTestApp(token, 'set');
  return { name: app.name, id: app.appId };
}

function patch(token: string, name: string, body: unknown) {
  return call(appRoute.PATCH, { method: 'PATCH', path: `/apps/${name}`, params: { name }, token, body });
}

async function queuedJobs(queue: Queue) {
  return (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.data);
}

test('branch, main file and Python version queue a rebuild and say so', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  const response = await patch(token, app.name, {
    branch: 'release',
    mainFile: 'src/app.py',
    pythonVersion: '3.11',
  });
  expect(response.status).toBe(200);
  const body = updateAppResponse.parse(await response.json());
  expect(body.isRebuilding).toBe(true);
  expect(body.isRestarting).toBe(false);
  expect(body.message).toMatch(/need a new build: a deployment is queued/);
  // The app never went live: there is no current version that would keep serving.
  expect(body.message).not.toMatch(/current version/);
  expect(body.app).toMatchObject({ branch: 'release', mainFile: 'src/app.py', pythonVersion: '3.11' });
  expect(body.app.latestDeployment).toMatchObject({ id: body.deploymentId, branch: 'release' });
  expect(await queuedJobs(builds)).toContainEqual({ deploymentId: body.deploymentId });
});

test('memory and CPUs apply with a restart of the live version, without a build', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  const notRunning = updateAppResponse.parse(await (await patch(token, app.name, { memoryMb: 512 })).json());
  expect(notRunning).toMatchObject({ isRebuilding: false, isRestarting: false, deploymentId: null });
  expect(notRunning.app.resources).toMatchObject({ memoryMb: 512, cpus: 1, maxMemoryMb: 2048, maxCpus: 2 });

  const [deployment] = await context.db
    .select()
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.id));
  await context.db
    .update(schema.apps)
    .set({ liveDeploymentId: deployment?.id ?? null })
    .where(eq(schema.apps.id, app.id));
  const buildsBefore = (await queuedJobs(builds)).length;
  const running = updateAppResponse.parse(await (await patch(token, app.name, { cpus: 1.5 })).json());
  expect(running).toMatchObject({ isRebuilding: false, isRestarting: true });
  expect(running.message).toMatch(/restarts with the new limits \(health-checked/);
  expect(running.app.resources).toMatchObject({ memoryMb: 512, cpus: 1.5 });
  expect(await queuedJobs(operations)).toContainEqual({ appId: app.id, operation: 'apply-resources' });
  expect((await queuedJobs(builds)).length).toBe(buildsBefore);

  const back = updateAppResponse.parse(await (await patch(token, app.name, { memoryMb: null })).json());
  expect(back.app.resources.memoryMb).toBe(768);
});

test('limits past the maximum are field errors, and nothing is saved', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  const tooMuch = await patch(token, app.name, { memoryMb: 4096, branch: 'other' });
  expect(tooMuch.status).toBe(400);
  expect(errorResponse.parse(await tooMuch.json()).error.fields).toEqual({
    memoryMb: 'This installation allows at most 2048 MB of memory per app.',
  });
  const tooManyCpus = await patch(token, app.name, { cpus: 3 });
  expect(errorResponse.parse(await tooManyCpus.json()).error.fields?.cpus).toBe(
    'This installation allows at most 2 CPUs per app.',
  );
  const badPython = await patch(token, app.name, { pythonVersion: 'latest' });
  expect(errorResponse.parse(await badPython.json()).error.fields?.pythonVersion).toMatch(/major\.minor/);
  const unchanged = await call(appRoute.GET, {
    path: `/apps/${app.name}`,
    params: { name: app.name },
    token,
  });
  expect(appView.parse(await unchanged.json())).toMatchObject({
    branch: 'main',
    resources: { memoryMb: 768 },
  });
});

test('replica settings are saved and reported; a minimum above the maximum, or past the memory limit, is a field error', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  const saved = updateAppResponse.parse(
    await (await patch(token, app.name, { minReplicas: 2, maxReplicas: 4, sessionsPerReplica: 10 })).json(),
  );
  expect(saved.app.scaling).toEqual({ minReplicas: 2, maxReplicas: 4, sessionsPerReplica: 10 });
  expect(saved.message).toMatch(/replica settings apply from the next scaling check/);

  const fieldsOf = async (body: unknown) =>
    errorResponse.parse(await (await patch(token, app.name, body)).json()).error.fields;
  expect(await fieldsOf({ minReplicas: 5 })).toEqual({
    minReplicas: 'The minimum of replicas (5) cannot be more than the maximum (4).',
  });
  expect(await fieldsOf({ maxReplicas: 1 })).toEqual({
    maxReplicas: 'The minimum of replicas (2) cannot be more than the maximum (1).',
  });
  expect((await fieldsOf({ maxReplicas: 1.5 }))?.maxReplicas).toBe(
    'Give the maximum as a whole number of replicas.',
  );
  expect((await fieldsOf({ sessionsPerReplica: 0 }))?.sessionsPerReplica).toBe(
    'Give at least 1 session per replica.',
  );
  // Each awake replica holds the app's memory (768 MB here): three do not fit in 2000 MB.
  const [row] = await context.db
    .select({ workspaceId: schema.apps.workspaceId })
    .from(schema.apps)
    .where(eq(schema.apps.id, app.id));
  await context.db
    .update(schema.workspaces)
    .set({ maxMemoryMb: 2000 })
    .where(eq(schema.workspaces.id, row?.workspaceId ?? ''));
  expect((await fieldsOf({ minReplicas: 3 }))?.minReplicas).toMatch(
    /may use 2000 MB together, so no app can have more; this one would need 2304 MB \(3 replicas of 768 MB\)/,
  );

  // Where each replica runs comes from the proxy's route of the running app.
  await context.db.update(schema.apps).set({ status: 'running' }).where(eq(schema.apps.id, app.id));
  await writeRoute(context.redis, context.instance, {
    appId: app.id,
    appName: app.name,
    status: 'running',
    upstream: { host: '127.0.0.1', port: 40001 },
    replicas: [
      { id: 'aaaaaaaaaaaa', host: '127.0.0.1', port: 40001, node: 'node-a' },
      { id: 'bbbbbbbbbbbb', host: '127.0.0.1', port: 40002, node: 'node-b' },
    ],
  });
  const shown = await call(appRoute.GET, { path: `/apps/${app.name}`, params: { name: app.name }, token });
  expect(appView.parse(await shown.json()).replicas).toEqual([
    { node: 'node-a', status: 'running' },
    { node: 'node-b', status: 'running' },
  ]);
});

test('a rename moves the route, keeps the old name redirecting and reserved', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  await writeRoute(context.redis, context.instance, { appId: app.id, appName: app.name, status: 'running' });
  const newName = `ren-${randomUUID().slice(0, 8)}`;
  const response = await patch(token, app.name, { name: newName });
  expect(response.status).toBe(200);
  const body = updateAppResponse.parse(await response.json());
  expect(body).toMatchObject({ isRebuilding: false, isRestarting: false });
  expect(body.app.name).toBe(newName);
  expect(body.app.url).toBe(`http://${newName}.localhost/`);
  expect(body.message).toBe(
    `Renamed to ${newName}; the old address (${app.name}) redirects to the new one for 7 days.`,
  );

  expect(await readRoute(context.redis, context.instance, app.name)).toBeNull();
  expect(await readRoute(context.redis, context.instance, newName)).toMatchObject({ appId: app.id });
  expect(await readNameRedirect(context.redis, context.instance, app.name)).toMatchObject({
    appId: app.id,
    toName: newName,
  });
  const oldGet = await call(appRoute.GET, { path: `/apps/${app.name}`, params: { name: app.name }, token });
  expect(oldGet.status).toBe(404);

  // Another app cannot take the old name during the grace period; the renamed app can take it back.
  const taken = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token: await newAccount(),
    body: { name: app.name, repoUrl: 'http://127.0.0.1:9/repo.git' },
  });
  expect(taken.status).toBe(409);
  expect(errorResponse.parse(await taken.json()).error.fields?.name).toMatch(/reserved for redirects/);
  const renamedBack = await patch(token, newName, { name: app.name });
  expect(renamedBack.status).toBe(200);
  expect(await readNameRedirect(context.redis, context.instance, app.name)).toBeNull();
  expect(await readNameRedirect(context.redis, context.instance, newName)).toMatchObject({
    toName: app.name,
  });
});

test("a name that is another app's is a 409 on the name field", async () => {
  const token = await newAccount();
  const [first, second] = [await newApp(token), await newApp(token)];
  const response = await patch(token, first.name, { name: second.name, branch: 'dev' });
  expect(response.status).toBe(409);
  expect(errorResponse.parse(await response.json()).error.fields).toEqual({
    name: `The name ${second.name} is taken; choose another.`,
  });
  const unchanged = await call(appRoute.GET, {
    path: `/apps/${first.name}`,
    params: { name: first.name },
    token,
  });
  expect(appView.parse(await unchanged.json()).branch).toBe('main');
});

test("another workspace's app cannot be changed", async () => {
  const app = await newApp(await newAccount());
  const response = await patch(await newAccount(), app.name, { branch: 'stolen' });
  expect(response.status).toBe(404);
});

test('idle times are set per app, shown in the app view, and go back to the default with null', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  const get = async () =>
    appView.parse(
      await (
        await call(appRoute.GET, { path: `/apps/${app.name}`, params: { name: app.name }, token })
      ).json(),
    );
  expect((await get()).idle).toEqual({
    freezeAfterSeconds: null,
    stopAfterSeconds: null,
    platformFreezeAfterSeconds: 600,
    platformStopAfterSeconds: 3600,
  });
  expect((await get()).lastVisitAt).toBeNull();

  const response = await patch(token, app.name, { freezeAfterSeconds: 120, stopAfterSeconds: 0 });
  expect(response.status).toBe(200);
  const body = updateAppResponse.parse(await response.json());
  expect(body.app.idle).toEqual({
    freezeAfterSeconds: 120,
    stopAfterSeconds: 0,
    platformFreezeAfterSeconds: 600,
    platformStopAfterSeconds: 3600,
  });
  expect(body.isRestarting).toBe(false);
  expect(body.isRebuilding).toBe(false);
  expect(body.message).toMatch(/idle times apply from the next sleep check/);
  const [row] = await context.db.select().from(schema.apps).where(eq(schema.apps.id, app.id));
  expect(row).toMatchObject({ freezeAfterSeconds: 120, stopAfterSeconds: 0 });

  const refused = await patch(token, app.name, { freezeAfterSeconds: -5 });
  expect(refused.status).toBe(400);
  expect(errorResponse.parse(await refused.json()).error.fields?.freezeAfterSeconds).toMatch(/in seconds/);

  const reset = await patch(token, app.name, { freezeAfterSeconds: null });
  expect(updateAppResponse.parse(await reset.json()).app.idle).toEqual({
    freezeAfterSeconds: null,
    stopAfterSeconds: 0,
    platformFreezeAfterSeconds: 600,
    platformStopAfterSeconds: 3600,
  });
});

test('the app view says when the app last had a visitor, as the proxy recorded it', async () => {
  const token = await newAccount();
  const app = await newApp(token);
  const visitedAt = new Date('2026-01-02T03:04:05.000Z');
  await recordActivity(context.redis, context.instance, new Map([[app.id, visitedAt.getTime()]]));
  const response = await call(appRoute.GET, { path: `/apps/${app.name}`, params: { name: app.name }, token });
  expect(appView.parse(await response.json()).lastVisitAt).toBe(visitedAt.toISOString());
  const listed = await call(appsRoute.GET, { path: '/apps', params: {}, token });
  const listedApp = listAppsResponse
    .parse(await listed.json())
    .apps.find((candidate) => candidate.id === app.id);
  expect(listedApp?.lastVisitAt).toBe(visitedAt.toISOString());
});
