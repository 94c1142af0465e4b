// Wakes a sleeping app: unpause a frozen container or start a stopped one, then point the route at
// it (a started container may have a new port) and read running. A frozen app is routed the moment
// it runs again, its health checked after; a started one only once Streamlit answers its health.
// A wake that fails says why: on the app (crashed, with the reason) and to the proxy's waking page.
import { appLimits } from '@cove/shared/config/app-limits';
import { schema } from '@cove/shared/db/client';
import { markCrashed, markWaking, routeWithoutUpstream } from '@cove/shared/lifecycle/app-status';
import { switchContainer } from '@cove/shared/lifecycle/go-live';
import { builder } from '@cove/shared/lifecycle/record';
import { recordActivity } from '@cove/shared/sleep/activity';
import { clearWakeFailure, recordWakeFailure } from '@cove/shared/sleep/wake-state';
import { claimRunningSlot } from '@cove/shared/workspaces/limits';
import { eq } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { type HealthResult, waitForHealth } from '../deploy/health';
import { readLiveDeployment } from '../deploy/live-deployment';
import { restartLiveDeployment } from '../deploy/restart';
import { secretsMasker } from '../deploy/secrets-file';
import type { ContainerInfo, Endpoint } from '../runtime/types';

const { apps, deployments } = schema;

export type WakeOutcome = 'woken' | 'already-awake' | 'failed' | 'nothing-live';

const printedLineCount = 20;
/** A visitor waits on this wake: ask for health more often than a deploy does. */
const wakeHealthIntervalMs = 50;
/**
 * A wake asks /_stcore/health only, not the script health check: the image passed it when it went
 * live, and the check runs the whole script once more before the visitor's own run (1.9 s for an
 * app importing pandas, measured from a cold start), all of it added to the wait of a stopped app.
 */
const wakeHealth = { intervalMs: wakeHealthIntervalMs, checkScript: false };

interface Waking {
  app: typeof apps.$inferSelect;
  live: typeof deployments.$inferSelect;
}

/** Points the route at the app first (the visitor waits on it), then records it running. */
async function markAwake(
  context: BuilderContext,
  { app, live }: Waking,
  container: ContainerInfo,
  endpoint: Endpoint,
) {
  // A wake is no fresh start: the crashes keep counting.
  await switchContainer(context, {
    app,
    liveDeploymentId: live.id,
    container: { id: container.id, endpoint, node: container.node },
    crashCount: 'keep',
    reason: 'Awake: a visit (or Wake now) woke it.',
  });
  await clearWakeFailure(context.redis, context.config.COVE_INSTANCE, app.id);
}

/** The app did not come back: crashed, with what Streamlit printed, on the app and the waking page. */
async function markFailed(
  context: BuilderContext,
  { app, live }: Waking,
  containerId: string,
  health: HealthResult,
): Promise<'failed'> {
  const { db, redis, runtime, config, logger } = context;
  const mask = await secretsMasker(context, app.id);
  const printed = (await runtime.tailLogs(containerId, printedLineCount)).map(mask).join('\n').trim();
  const reason = health.isHealthy
    ? 'it stopped right after answering'
    : health.isOomKilled
      ? `it ran out of memory (the limit is ${appLimits(config, app).memoryMb} MB)`
      : health.reason === 'timeout'
        ? `it did not answer within ${config.COVE_HEALTH_TIMEOUT_SECONDS} seconds`
        : `it stopped while starting (exit code ${health.exitCode ?? 'unknown'})`;
  const message = `Cove could not wake ${app.name}: ${reason}. Streamlit printed:\n${printed || '(nothing)'}`;
  await markCrashed(db, { appId: app.id, liveDeploymentId: live.id, message, by: builder });
  await recordWakeFailure(redis, config.COVE_INSTANCE, app.id, message);
  await routeWithoutUpstream(context, app, 'crashed');
  logger.info({ appId: app.id, app: app.name }, 'app did not wake');
  return 'failed';
}

export async function wakeApp(context: BuilderContext, appId: string): Promise<WakeOutcome> {
  const { db, redis, runtime, config, logger } = context;
  const instance = config.COVE_INSTANCE;
  const row = await readLiveDeployment(db, appId);
  if (!row) return 'nothing-live';
  const { app, live } = row;
  // The operator's limit of running apps holds for wakes by a visit too (read under the workspace's
  // lock, with the claim); the proxy's waking page shows the refusal. statusMessage stays: it
  // records how deep the app sleeps. The container is looked at meanwhile: the wake runs between
  // reconcile passes, so nothing changes it until then.
  const [slot, container] = await Promise.all([
    claimRunningSlot(context, app.workspaceId, app.id, `wake ${app.name}`, (tx) =>
      markWaking(tx, { appId: app.id, liveDeploymentId: live.id, by: builder }),
    ),
    live.containerId ? runtime.inspect(live.containerId) : null,
  ]);
  if (slot.refusal !== null) {
    await recordWakeFailure(redis, instance, app.id, slot.refusal);
    logger.info({ appId, app: app.name }, 'wake refused: running apps limit');
    return 'failed';
  }
  const claimed = slot.claimed;
  if (!claimed) return 'already-awake';
  const startedAtMs = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAtMs);
  await Promise.all([
    routeWithoutUpstream(context, app, 'waking'),
    // A wake is a visit: the idle clock starts again, so the next pass does not put it back to sleep.
    recordActivity(redis, instance, new Map([[app.id, Date.now()]])),
  ]);

  if (container === null || container.state === 'dead' || container.state === 'removing') {
    // The container is gone: start a fresh one from the image, as the reconciler would.
    const outcome = await restartLiveDeployment(context, app.id, 'recover');
    if (outcome === 'running') return 'woken';
    const [after] = await db
      .select({ statusMessage: apps.statusMessage })
      .from(apps)
      .where(eq(apps.id, app.id));
    await recordWakeFailure(
      redis,
      instance,
      app.id,
      after?.statusMessage ?? `Cove could not wake ${app.name}.`,
    );
    return 'failed';
  }
  const healthTimeoutMs = config.COVE_HEALTH_TIMEOUT_SECONDS * 1000;
  if (container.state === 'paused' && container.endpoint !== null) {
    // Streamlit was alive and listening when it was paused, on the port it keeps: the visitor needs
    // nothing more than the unpause. Its health is asked after, and a failure reads as any other.
    await runtime.unpause(container.id);
    const resumedMs = elapsedMs();
    await markAwake(context, row, container, container.endpoint);
    const routedMs = elapsedMs();
    const health = await waitForHealth(runtime, container.id, healthTimeoutMs, wakeHealth);
    if (!health.isHealthy) return markFailed(context, row, container.id, health);
    logger.info(
      { appId, app: app.name, from: 'paused', resumedMs, routedMs, healthyMs: elapsedMs() },
      'app woken',
    );
    return 'woken';
  }
  if (container.state === 'paused') {
    await runtime.unpause(container.id);
  } else if (container.state !== 'running') {
    const startedAtSeconds = Math.floor(Date.now() / 1000) - 1;
    await runtime.start(container.id);
    const mask = await secretsMasker(context, app.id);
    context.runtimeLogs.follow(container.id, live.id, startedAtSeconds, mask);
  }
  const resumedMs = elapsedMs();
  const health = await waitForHealth(runtime, container.id, healthTimeoutMs, wakeHealth);
  const healthyMs = elapsedMs();
  const running = health.isHealthy ? await runtime.inspect(container.id) : null;
  if (running?.state !== 'running' || running.endpoint === null) {
    return markFailed(context, row, container.id, health);
  }
  await markAwake(context, row, running, running.endpoint);
  logger.info(
    { appId, app: app.name, from: container.state, resumedMs, healthyMs, routedMs: elapsedMs() },
    'app woken',
  );
  return 'woken';
}
