import { randomUUID } from 'node:crypto';
import { schema } from '@cove/shared/db/client';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import type { TestContext } from '@cove/shared/testing/context';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import * as sleepRoute from '../../app/api/v1/apps/[name]/sleep/route';
import * as wakeRoute from '../../app/api/v1/apps/[name]/wake/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';
import { call, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

const { apps, deployments } = schema;
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

async function newToken(): Promise<string> {
  return (await signUpWithToken()).token;
}

/** An app as the builder leaves it after a deploy: a live deployment, in the given status. */
async function deployedApp(token: string, status: 'running' | 'sleeping') {
  const name = `nap-${randomUUID().slice(0, 8)}`;
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, repoUrl: 'http://127.0.0.1:9/repo.git', branch: 'main', mainFile: 'app.py' },
  });
  const appId = z.object({ id: z.string() }).parse(await created.json()).id;
  const [deployment] = await context.db.select().from(deployments).where(eq(deployments.appId, appId));
  await context.db
    .update(apps)
    .set({ status, liveDeploymentId: deployment?.id ?? null })
    .where(eq(apps.id, appId));
  return { name, appId };
}

async function queuedOperations(appId: string) {
  const queued = await operations.getJobs(['waiting', 'delayed', 'active']);
  return queued.filter((job) => job.data.appId === appId).map((job) => ({ id: job.id, data: job.data }));
}

const post = (handler: typeof sleepRoute.POST, action: string, name: string, token: string) =>
  call(handler, { method: 'POST', path: `/apps/${name}/${action}`, params: { name }, token });

test('sleep now queues a sleep of a running app', async () => {
  const token = await newToken();
  const { name, appId } = await deployedApp(token, 'running');
  const response = await post(sleepRoute.POST, 'sleep', name, token);
  expect(response.status).toBe(202);
  expect(await queuedOperations(appId)).toEqual([
    { id: expect.stringMatching(/^sleep-/), data: { appId, operation: 'sleep', depth: 'stopped' } },
  ]);
});

test('sleep now with depth freeze queues a freeze; an unknown depth is refused in plain words', async () => {
  const token = await newToken();
  const { name, appId } = await deployedApp(token, 'running');
  const sleep = (body: unknown) =>
    call(sleepRoute.POST, { method: 'POST', path: `/apps/${name}/sleep`, params: { name }, token, body });
  const refused = await sleep({ depth: 'hibernate' });
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({
    error: { code: 'invalid_input', fields: { depth: 'Choose a depth of sleep: "freeze" or "stop".' } },
  });
  expect(await queuedOperations(appId)).toEqual([]);

  const frozen = await sleep({ depth: 'freeze' });
  expect(frozen.status).toBe(202);
  expect(await frozen.json()).toEqual({ message: `Freezing ${name}.` });
  expect(await queuedOperations(appId)).toEqual([
    { id: expect.stringMatching(/^sleep-/), data: { appId, operation: 'sleep', depth: 'frozen' } },
  ]);
});

test('wake now, asked twice, queues one wake of a sleeping app', async () => {
  const token = await newToken();
  const { name, appId } = await deployedApp(token, 'sleeping');
  expect((await post(wakeRoute.POST, 'wake', name, token)).status).toBe(202);
  expect((await post(wakeRoute.POST, 'wake', name, token)).status).toBe(202);
  expect(await queuedOperations(appId)).toEqual([
    { id: `wake-${appId}`, data: { appId, operation: 'wake' } },
  ]);
});

test('an app never deployed cannot be put to sleep; an awake app needs no wake', async () => {
  const token = await newToken();
  const name = `new-${randomUUID().slice(0, 8)}`;
  await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, repoUrl: 'http://127.0.0.1:9/repo.git', branch: 'main', mainFile: 'app.py' },
  });
  expect((await post(sleepRoute.POST, 'sleep', name, token)).status).toBe(409);
  const awake = await deployedApp(token, 'running');
  const response = await post(wakeRoute.POST, 'wake', awake.name, token);
  expect(response.status).toBe(202);
  expect(await response.json()).toEqual({ message: `${awake.name} is not asleep (it is running).` });
  expect(await queuedOperations(awake.appId)).toEqual([]);
});

test('openapi.json lists sleep and wake', async () => {
  const document = z
    .object({ paths: z.record(z.string(), z.unknown()) })
    .parse(await openapiRoute.GET().json());
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining(['/api/v1/apps/{name}/sleep', '/api/v1/apps/{name}/wake']),
  );
});
