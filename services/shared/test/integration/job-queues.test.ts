// ensureBuildQueued against a real Redis and BullMQ worker: a build job that will still run is left
// alone (waiting, or held by a live worker); one that failed, or whose worker died, is replaced.
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { jobs, queuePrefix } from '../../src/jobs/catalogue';
import { type JobQueues, openJobQueues } from '../../src/jobs/queues';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { waitFor } from '../../src/testing/wait';

let context: TestContext;
let queues: JobQueues;
let builds: Queue;
let worker: Worker | undefined;
let workerConnection: Redis | undefined;

beforeAll(async () => {
  context = await createTestContext();
  queues = openJobQueues(context.redis, context.instance);
  builds = new Queue(jobs.build.queue, { connection: context.redis, prefix: queuePrefix(context.instance) });
});

afterEach(async () => {
  await worker?.close(true);
  worker = undefined;
  workerConnection?.disconnect();
  workerConnection = undefined;
});

afterAll(async () => {
  await builds?.close();
  await queues?.close();
  await context?.close();
});

/** A worker on the build queue running `process` for each job, holding a job's lock for lockDurationMs. */
function startWorker(process: () => Promise<void>, lockDurationMs = 30_000): Worker {
  workerConnection = new Redis(context.redisUrl, { maxRetriesPerRequest: null });
  worker = new Worker(jobs.build.queue, process, {
    connection: workerConnection,
    prefix: queuePrefix(context.instance),
    lockDuration: lockDurationMs,
  });
  return worker;
}

function stateOf(deploymentId: string) {
  return builds.getJobState(jobs.build.jobId({ deploymentId }));
}

function waitForState(deploymentId: string, state: string) {
  return waitFor(async () => (await stateOf(deploymentId)) === state, {
    timeoutMs: 30_000,
    description: `the build job to be ${state}`,
  });
}

test('a waiting build job is kept', async () => {
  const deploymentId = crypto.randomUUID();
  await queues.enqueueBuild({ deploymentId });
  expect(await queues.ensureBuildQueued({ deploymentId })).toBe(false);
  expect(await stateOf(deploymentId)).toBe('waiting');
  await builds.remove(jobs.build.jobId({ deploymentId }));
});

test('a build job a live worker holds is kept', async () => {
  const deploymentId = crypto.randomUUID();
  startWorker(() => new Promise<void>(() => {}));
  await queues.enqueueBuild({ deploymentId });
  await waitForState(deploymentId, 'active');
  expect(await queues.ensureBuildQueued({ deploymentId })).toBe(false);
  expect(await stateOf(deploymentId)).toBe('active');
});

test('a build job that failed is replaced by a waiting one', async () => {
  const deploymentId = crypto.randomUUID();
  startWorker(async () => {
    throw new UnrecoverableError('not this time');
  });
  await queues.enqueueBuild({ deploymentId });
  await waitForState(deploymentId, 'failed');
  await worker?.close();
  expect(await queues.ensureBuildQueued({ deploymentId })).toBe(true);
  expect(await stateOf(deploymentId)).toBe('waiting');
  await builds.remove(jobs.build.jobId({ deploymentId }));
});

test('a build job whose worker died is replaced once its lock lapses', async () => {
  const deploymentId = crypto.randomUUID();
  // Holds the job and its lock until closed without waiting, as a killed process would.
  startWorker(() => new Promise<void>(() => {}), 1000);
  await queues.enqueueBuild({ deploymentId });
  await waitForState(deploymentId, 'active');
  await worker?.close(true);
  await waitFor(() => queues.ensureBuildQueued({ deploymentId }), {
    timeoutMs: 30_000,
    description: 'the job of the dead worker to be replaced',
  });
  expect(await stateOf(deploymentId)).toBe('waiting');
});
