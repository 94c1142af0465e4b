// A wake that ends in an out-of-memory kill names the app's own memory limit, not the platform's
// default (it named COVE_APP_MEMORY_MB whatever the app's setting was).
import { schema } from '@cove/shared/db/client';
import { createLogger } from '@cove/shared/logs/logger';
import { readWakeFailure, sleepMessages } from '@cove/shared/sleep/wake-state';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BuilderContext } from '../../src/context';
import { appPort, appUserId } from '../../src/deploy/container';
import { RuntimeLogFollowers } from '../../src/deploy/runtime-logs';
import { labelKeys } from '../../src/runtime/types';
import { wakeApp } from '../../src/sleep/wake';
import { builderConfig, insertApp, insertDeployment, readApp, removeDockerObjects, runtime } from './fixture';

const { apps, deployments } = schema;
/** Python starts in this, Streamlit's imports do not: the container is killed for memory at every start. */
const ownMemoryMb = 24;
let context: TestContext;
let builder: BuilderContext;

beforeAll(async () => {
  context = await createTestContext();
  const config = builderConfig(context);
  const logger = createLogger('builder-test', config.COVE_LOG_LEVEL);
  builder = {
    config,
    db: context.db,
    redis: context.redis,
    runtime,
    logger,
    runtimeLogs: new RuntimeLogFollowers(runtime, context.db, context.redis, context.instance, logger),
  };
});

afterAll(async () => {
  await builder?.runtimeLogs.stopAll();
  if (context) await removeDockerObjects(context.instance);
  await context?.close();
});

test('an app stopped asleep that runs out of memory as it wakes is told its own limit', async () => {
  expect(builder.config.COVE_APP_MEMORY_MB).not.toBe(ownMemoryMb);
  const app = await insertApp(context, { name: 'oom-waker', repoUrl: 'http://127.0.0.1:9/oom-waker.git' });
  const deploymentId = await insertDeployment(context, app);
  // The app's container as its deploy left it, stopped by the sleep: started with the app's limit.
  const container = await runtime.run({
    name: `cove-${context.instance}-oom-waker`,
    image: builder.config.COVE_RUNTIME_IMAGE,
    labels: {
      [labelKeys.instance]: context.instance,
      [labelKeys.appId]: app.appId,
      [labelKeys.deploymentId]: deploymentId,
    },
    env: { COVE_MAIN_FILE: 'app.py' },
    network: 'bridge',
    containerPort: appPort,
    userId: appUserId,
    memoryMb: ownMemoryMb,
    cpus: 1,
    pidsLimit: 64,
    tmpfs: { '/tmp': 'rw,size=16m' },
  });
  await waitFor(async () => ((await runtime.inspect(container.id))?.state === 'exited' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 100,
    description: 'the container to stop',
  });
  await context.db
    .update(deployments)
    .set({ status: 'running', containerId: container.id, hostPort: null, imageTag: 'unused' })
    .where(eq(deployments.id, deploymentId));
  await context.db
    .update(apps)
    .set({
      status: 'sleeping',
      statusMessage: sleepMessages.stopped,
      liveDeploymentId: deploymentId,
      memoryMb: ownMemoryMb,
    })
    .where(eq(apps.id, app.appId));

  expect(await wakeApp(builder, app.appId)).toBe('failed');
  const after = await readApp(context, app.appId);
  expect(after.status).toBe('crashed');
  expect(after.statusMessage).toContain(`it ran out of memory (the limit is ${ownMemoryMb} MB)`);
  expect(await readWakeFailure(context.redis, context.instance, app.appId)).toContain(
    `the limit is ${ownMemoryMb} MB`,
  );
});
