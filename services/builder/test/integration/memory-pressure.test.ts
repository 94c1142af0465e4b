// Under memory pressure the sleep pass stops frozen apps, the least recently visited first. The
// pressure is real: the threshold is set above what this host has available, by less than one app's
// memory limit, so each pass should stop exactly one frozen app.
import { readFileSync } from 'node:fs';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import { activityKey } from '@cove/shared/sleep/activity';
import { sleepMessages } from '@cove/shared/sleep/wake-state';
import { waitFor } from '@cove/shared/testing/wait';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseAvailableMemoryMb } from '../../src/sleep/decide-memory-pressure';
import {
  type AppFixture,
  type BuilderWorld,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

const appMemoryMb = 8192;
let world: BuilderWorld;
let operations: Queue;
let operationEvents: QueueEvents;
let leastRecent: AppFixture;
let mostRecent: AppFixture;

async function deploy(name: string): Promise<AppFixture> {
  await world.git.createRepo(name, { 'app.py': `import streamlit as st\n\nst.title("${name}")\n` });
  const app = await insertApp(world.context, { name, repoUrl: world.git.repoUrl(name) });
  const deploymentId = await insertDeployment(world.context, app);
  await world.queues.enqueueBuild({ deploymentId });
  const deployed = await waitForFinished(world.context, deploymentId);
  if (deployed.status !== 'running') throw new Error(`the deploy failed: ${deployed.errorMessage}`);
  return app;
}

async function containerState(app: AppFixture): Promise<string | undefined> {
  const { liveDeploymentId } = await readApp(world.context, app.appId);
  const { containerId } = await readDeployment(world.context, liveDeploymentId ?? '');
  return containerId ? (await runtime.inspect(containerId))?.state : undefined;
}

async function reconcilePass(): Promise<void> {
  const job = await operations.add(jobs.appOperation.name, {
    appId: leastRecent.appId,
    operation: 'reconcile',
  });
  await job.waitUntilFinished(operationEvents, 60_000);
}

beforeAll(async () => {
  const availableMemoryMb = parseAvailableMemoryMb(readFileSync('/proc/meminfo', 'utf8'));
  if (availableMemoryMb === null) throw new Error('this host does not report MemAvailable');
  world = await startBuilderWorld({
    COVE_RECONCILE_INTERVAL_SECONDS: '3600',
    COVE_FREEZE_AFTER_SECONDS: '0',
    COVE_STOP_AFTER_SECONDS: '0',
    COVE_APP_MEMORY_MB: String(appMemoryMb),
    COVE_APP_MAX_MEMORY_MB: String(appMemoryMb),
    COVE_MEMORY_PRESSURE_MB: String(availableMemoryMb + appMemoryMb / 2),
  });
  const connection = { connection: world.context.redis, prefix: queuePrefix(world.context.instance) };
  operations = new Queue(jobs.appOperation.queue, connection);
  operationEvents = new QueueEvents(jobs.appOperation.queue, {
    connection: world.context.redis.duplicate(),
    prefix: queuePrefix(world.context.instance),
  });
  await operationEvents.waitUntilReady();
  leastRecent = await deploy('dusty');
  mostRecent = await deploy('fresh');
}, 400_000);

afterAll(async () => {
  await operations?.close();
  await operationEvents?.close();
  await stopBuilderWorld(world);
});

test('the least recently visited frozen app is stopped first, then the next', async () => {
  for (const app of [leastRecent, mostRecent]) {
    await world.queues.enqueueAppOperation({ appId: app.appId, operation: 'sleep', depth: 'frozen' });
  }
  await waitFor(
    async () =>
      (await containerState(leastRecent)) === 'paused' && (await containerState(mostRecent)) === 'paused',
    { timeoutMs: 60_000, intervalMs: 200, description: 'both apps to be frozen' },
  );
  const nowMs = Date.now();
  // Written as is (a proxy only moves a visit forward): the dusty app was visited first.
  await world.context.redis.zadd(
    activityKey(world.context.instance),
    nowMs - 120_000,
    leastRecent.appId,
    nowMs - 60_000,
    mostRecent.appId,
  );

  await reconcilePass();
  expect(await containerState(leastRecent)).toBe('exited');
  expect((await readApp(world.context, leastRecent.appId)).statusMessage).toBe(sleepMessages.stopped);
  expect(await containerState(mostRecent)).toBe('paused');

  // Memory is still short (stopping a small app frees far less than the threshold asks for).
  await reconcilePass();
  expect(await containerState(mostRecent)).toBe('exited');
  expect((await readApp(world.context, mostRecent.appId)).status).toBe('sleeping');
});
