// A wake (by a visit, through the proxy, or by hand) is refused while the workspace already runs
// as many apps as the operator allows; the proxy's waking page reads the reason.
import { schema } from '@cove/shared/db/client';
import { markDeploying } from '@cove/shared/lifecycle/deployments';
import { createLogger } from '@cove/shared/logs/logger';
import { readWakeFailure, sleepMessages } from '@cove/shared/sleep/wake-state';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { claimRunningSlot } from '@cove/shared/workspaces/limits';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BuilderContext } from '../../src/context';
import { RuntimeLogFollowers } from '../../src/deploy/runtime-logs';
import { wakeApp } from '../../src/sleep/wake';
import { builderConfig, insertApp, insertDeployment, readDeployment, runtime } from './fixture';

const { apps } = schema;
let context: TestContext;
let builder: BuilderContext;

beforeAll(async () => {
  context = await createTestContext({ COVE_WORKSPACE_MAX_RUNNING_APPS: '1' });
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
  await context.close();
});

test('a sleeping app does not wake while its workspace runs its maximum of apps', async () => {
  const sleeper = await insertApp(context, { name: 'limit-sleeper', repoUrl: 'http://127.0.0.1:9/a.git' });
  const live = await insertDeployment(context, sleeper);
  await context.db
    .update(apps)
    .set({ status: 'sleeping', statusMessage: sleepMessages.stopped, liveDeploymentId: live })
    .where(eq(apps.id, sleeper.appId));
  const [neighbour] = await context.db
    .insert(apps)
    .values({
      workspaceId: sleeper.workspaceId,
      name: 'limit-neighbour',
      repoUrl: 'http://127.0.0.1:9/b.git',
      branch: 'main',
      mainFile: 'app.py',
      webhookSecretCiphertext: 'unused',
      status: 'running',
    })
    .returning({ id: apps.id });
  if (!neighbour) throw new Error('no app inserted');

  expect(await wakeApp(builder, sleeper.appId)).toBe('failed');
  expect(await readWakeFailure(context.redis, context.instance, sleeper.appId)).toBe(
    'Cove cannot wake limit-sleeper: this workspace already runs 1 of its 1 apps at once. Put an app to sleep or delete one, or ask the operator to raise the limit.',
  );
  const [after] = await context.db.select().from(apps).where(eq(apps.id, sleeper.appId));
  // Still asleep, and still saying how deeply.
  expect(after).toMatchObject({ status: 'sleeping', statusMessage: sleepMessages.stopped });

  // Once the neighbour sleeps, the wake goes ahead (here it fails later: there is no image).
  await context.db.update(apps).set({ status: 'sleeping' }).where(eq(apps.id, neighbour.id));
  await wakeApp(builder, sleeper.appId);
  const failure = await readWakeFailure(context.redis, context.instance, sleeper.appId);
  expect(failure ?? '').not.toMatch(/already runs/);
});

/** Two sleeping apps of one new workspace (nothing else of it runs). */
async function twoSleepingApps(firstName: string, secondName: string) {
  const first = await insertApp(context, { name: firstName, repoUrl: `http://127.0.0.1:9/${firstName}.git` });
  const second = await insertApp(context, {
    name: secondName,
    repoUrl: `http://127.0.0.1:9/${secondName}.git`,
    workspaceId: first.workspaceId,
  });
  await context.db
    .update(apps)
    .set({ status: 'sleeping' })
    .where(inArray(apps.id, [first.appId, second.appId]));
  return [first, second] as const;
}

test('two apps starting at once never both take the last slot', async () => {
  const [first, second] = await twoSleepingApps('race-first', 'race-second');
  // Each claim holds its transaction a while before marking the app: without the workspace's lock
  // both would count the other as asleep and both would start.
  const claimSlowly = (appId: string) =>
    claimRunningSlot(builder, first.workspaceId, appId, 'start it', async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.update(apps).set({ status: 'waking' }).where(eq(apps.id, appId));
      return appId;
    });
  const outcomes = await Promise.all([claimSlowly(first.appId), claimSlowly(second.appId)]);
  expect(outcomes.filter((outcome) => outcome.refusal === null)).toHaveLength(1);
  expect(outcomes.filter((outcome) => outcome.refusal !== null)).toEqual([
    { refusal: expect.stringMatching(/already runs 1 of its 1 apps at once/) },
  ]);
});

test('an app whose new version is being started counts as running, and its own redeploy is never refused', async () => {
  const [starting, other] = await twoSleepingApps('slot-starting', 'slot-other');
  const deploymentId = await insertDeployment(context, starting);
  // The build of a sleeping app reaches its start: the deployment, not the app, says so.
  const started = await claimRunningSlot(builder, starting.workspaceId, starting.appId, 'start it', (tx) =>
    markDeploying(tx, deploymentId, { imageTag: 'cove-test/slot-starting:1', imageId: 'sha256:1' }),
  );
  expect(started.refusal).toBeNull();
  expect((await readDeployment(context, deploymentId)).status).toBe('deploying');

  const refused = await claimRunningSlot(
    builder,
    starting.workspaceId,
    other.appId,
    'start slot-other',
    async () => {
      throw new Error('must not be claimed');
    },
  );
  expect(refused.refusal).toMatch(/Cove cannot start slot-other: this workspace already runs 1 of its 1/);

  // A running app is redeployed whatever the others do.
  await context.db.update(apps).set({ status: 'running' }).where(eq(apps.id, other.appId));
  const redeploy = await claimRunningSlot(
    builder,
    starting.workspaceId,
    other.appId,
    'redeploy',
    async () => 'ok',
  );
  expect(redeploy).toEqual({ refusal: null, claimed: 'ok' });
});
