// A build job can come back (BullMQ hands a dead worker's job to another) before the reconciler
// sees the stale heartbeat: the job finds its row still building. It takes the build back itself,
// as the reconciler would: the leftover container goes, the interruption counts, and the build
// starts over, or fails once the interruptions reach the bound. The reconciler here runs only at
// start, so the job is the one that sees the rows.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { schema } from '@cove/shared/db/client';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { readRoute } from '@cove/shared/routing/route-table';
import { createTestContext } from '@cove/shared/testing/context';
import { startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  interruptionLimitMessage,
  maxBuildInterruptions,
  rebuildingMessage,
} from '../../src/builds/interruptions';
import { labelKeys } from '../../src/runtime/types';
import {
  type AppFixture,
  type BuilderWorld,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readApp,
  startTestBuilder,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

const runCommand = promisify(execFile);

let world: BuilderWorld | undefined;

beforeAll(async () => {
  const context = await createTestContext({
    COVE_BUILD_STALE_SECONDS: '2',
    COVE_RECONCILE_INTERVAL_SECONDS: '3600',
  });
  const git = await startGitServer();
  // The reconciler's one pass is over once it has written the route of an app that was there first.
  const bystander = await insertApp(context, { name: 'bystander', repoUrl: git.repoUrl('none') });
  const builder = await startTestBuilder(context);
  world = { context, git, builder, queues: openJobQueues(context.redis, context.instance) };
  await waitFor(async () => (await readRoute(context.redis, context.instance, bystander.name)) !== null, {
    timeoutMs: 30_000,
    description: "the reconciler's first pass",
  });
});

afterAll(() => stopBuilderWorld(world));

/** A deployment as a killed builder leaves it: building, its heartbeat long stale, a container left. */
async function insertInterrupted(app: AppFixture, interruptionCount: number) {
  if (!world) throw new Error('no builder world');
  const { context } = world;
  const deploymentId = await insertDeployment(context, app);
  await context.db
    .update(schema.deployments)
    .set({ status: 'building', heartbeatAt: sql`now() - interval '1 hour'`, interruptionCount })
    .where(eq(schema.deployments.id, deploymentId));
  const { stdout } = await runCommand('docker', [
    'run',
    '--detach',
    '--label',
    `${labelKeys.instance}=${context.instance}`,
    '--label',
    `${labelKeys.appId}=${app.appId}`,
    '--label',
    `${labelKeys.deploymentId}=${deploymentId}`,
    '--entrypoint',
    'sleep',
    context.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev',
    '3600',
  ]);
  await world.queues.enqueueBuild({ deploymentId });
  return { deploymentId, leftoverContainerId: stdout.trim() };
}

async function buildLogOf(deploymentId: string): Promise<string[]> {
  if (!world) throw new Error('no builder world');
  return (await readLogLines(world.context.db, deploymentId, 'build')).map((line) => line.line);
}

test('a job that finds its build interrupted builds it again from the start, and it goes live', async () => {
  if (!world) throw new Error('no builder world');
  const { context, git } = world;
  await git.createRepo('again', { 'app.py': 'import streamlit as st\n\nst.title("Again")\n' });
  const app = await insertApp(context, { name: 'again', repoUrl: git.repoUrl('again') });
  const { deploymentId, leftoverContainerId } = await insertInterrupted(app, 0);

  const deployment = await waitForFinished(context, deploymentId, 120_000);
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(deployment.interruptionCount).toBe(1);
  expect(await health(deployment.hostPort ?? 0)).toBe('ok');
  expect((await readApp(context, app.appId)).status).toBe('running');
  expect((await containersOf(context.instance, deploymentId)).map((container) => container.id)).not.toContain(
    leftoverContainerId,
  );
  expect(await buildLogOf(deploymentId)).toContain(rebuildingMessage);
});

test('a job that finds its build interrupted once too often fails it, saying why', async () => {
  if (!world) throw new Error('no builder world');
  const { context, git } = world;
  await git.createRepo('stopper', { 'app.py': 'import streamlit as st\n' });
  const app = await insertApp(context, { name: 'stopper', repoUrl: git.repoUrl('stopper') });
  const { deploymentId } = await insertInterrupted(app, maxBuildInterruptions - 1);

  const deployment = await waitForFinished(context, deploymentId, 60_000);
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(interruptionLimitMessage);
  expect(deployment.interruptionCount).toBe(maxBuildInterruptions);
  const row = await readApp(context, app.appId);
  expect(row.status).toBe('failed');
  expect(row.statusMessage).toBe(interruptionLimitMessage);
  // The row is failed first, then the leftover removed, then the line written: wait for it.
  await waitFor(async () => (await buildLogOf(deploymentId)).includes(`Error: ${interruptionLimitMessage}`), {
    timeoutMs: 15_000,
    description: 'the failure in the build log',
  });
  await waitFor(async () => (await containersOf(context.instance, deploymentId)).length === 0, {
    timeoutMs: 30_000,
    description: 'the leftover container to be removed',
  });
});
