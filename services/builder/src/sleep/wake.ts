// Wakes a sleeping app: unpause a frozen container or start a stopped one, wait for Streamlit's
// health, then point the route at it (a started container may have a new port) and read running.
// A wake that fails says why: on the app (crashed, with the reason) and to the proxy's waking page.
import { schema } from '@cove/shared/db/client';
import { writeRoute } from '@cove/shared/routing/route-table';
import { recordActivity } from '@cove/shared/sleep/activity';
import { clearWakeFailure, recordWakeFailure } from '@cove/shared/sleep/wake-state';
import { runningLimitMessage } from '@cove/shared/workspaces/limits';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { waitForHealth } from '../deploy/health';
import { restartLiveDeployment } from '../deploy/restart';
import { secretsMasker } from '../deploy/secrets-file';

const { apps, deployments } = schema;

export type WakeOutcome = 'woken' | 'already-awake' | 'failed' | 'nothing-live';

const printedLineCount = 20;
/** A visitor waits on this wake: ask for health more often than a deploy does. */
const wakeHealthIntervalMs = 50;

export async function wakeApp(context: BuilderContext, appId: string): Promise<WakeOutcome> {
  const { db, redis, runtime, config, logger } = context;
  const instance = config.COVE_INSTANCE;
  const [row] = await db
    .select({ app: apps, live: deployments })
    .from(apps)
    .innerJoin(deployments, eq(deployments.id, apps.liveDeploymentId))
    .where(eq(apps.id, appId));
  if (!row) return 'nothing-live';
  const { app, live } = row;
  // The operator's limit of running apps holds for wakes by a visit too; the proxy's waking page
  // shows the refusal. statusMessage stays: it records how deep the app sleeps.
  const refusal = await runningLimitMessage(context, app.workspaceId, app.id, `wake ${app.name}`);
  if (refusal !== null && app.status === 'sleeping') {
    await recordWakeFailure(redis, instance, app.id, refusal);
    logger.info({ appId, app: app.name }, 'wake refused: running apps limit');
    return 'failed';
  }
  const [claimed] = await db
    .update(apps)
    .set({ status: 'waking', statusMessage: 'Waking up.', updatedAt: sql`now()` })
    .where(
      and(
        eq(apps.id, app.id),
        eq(apps.liveDeploymentId, live.id),
        inArray(apps.status, ['sleeping', 'waking']),
      ),
    )
    .returning({ id: apps.id });
  if (!claimed) return 'already-awake';
  const startedAtMs = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAtMs);
  await writeRoute(redis, instance, { appId: app.id, appName: app.name, status: 'waking' });
  // A wake is a visit: the idle clock starts again, so the next pass does not put it back to sleep.
  await recordActivity(redis, instance, new Map([[app.id, Date.now()]]));

  const container = live.containerId ? await runtime.inspect(live.containerId) : null;
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
  if (container.state === 'paused') {
    await runtime.unpause(container.id);
  } else if (container.state !== 'running') {
    const startedAtSeconds = Math.floor(Date.now() / 1000) - 1;
    await runtime.start(container.id);
    const mask = await secretsMasker(context, app.id);
    context.runtimeLogs.follow(container.id, live.id, startedAtSeconds, mask);
  }
  const resumedMs = elapsedMs();
  const health = await waitForHealth(
    runtime,
    container.id,
    config.COVE_HEALTH_TIMEOUT_SECONDS * 1000,
    wakeHealthIntervalMs,
  );
  const healthyMs = elapsedMs();
  const running = health.isHealthy ? await runtime.inspect(container.id) : null;
  if (running?.state === 'running' && running.hostPort !== null) {
    await db
      .update(deployments)
      .set({ containerId: running.id, hostPort: running.hostPort })
      .where(eq(deployments.id, live.id));
    await db
      .update(apps)
      .set({ status: 'running', statusMessage: null, updatedAt: sql`now()` })
      .where(and(eq(apps.id, app.id), eq(apps.liveDeploymentId, live.id)));
    await writeRoute(redis, instance, {
      appId: app.id,
      appName: app.name,
      status: 'running',
      upstream: { host: '127.0.0.1', port: running.hostPort },
    });
    await clearWakeFailure(redis, instance, app.id);
    logger.info(
      { appId, app: app.name, from: container.state, resumedMs, healthyMs, routedMs: elapsedMs() },
      'app woken',
    );
    return 'woken';
  }

  const mask = await secretsMasker(context, app.id);
  const printed = (await runtime.tailLogs(container.id, printedLineCount)).map(mask).join('\n').trim();
  const reason = health.isHealthy
    ? 'it stopped right after answering'
    : health.isOomKilled
      ? `it ran out of memory (the limit is ${config.COVE_APP_MEMORY_MB} MB)`
      : health.reason === 'timeout'
        ? `it did not answer within ${config.COVE_HEALTH_TIMEOUT_SECONDS} seconds`
        : `it stopped while starting (exit code ${health.exitCode ?? 'unknown'})`;
  const message = `Cove could not wake ${app.name}: ${reason}. Streamlit printed:\n${printed || '(nothing)'}`;
  await db
    .update(apps)
    .set({
      status: 'crashed',
      statusMessage: message,
      crashCount: sql`${apps.crashCount} + 1`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(apps.id, app.id), eq(apps.liveDeploymentId, live.id)));
  await recordWakeFailure(redis, instance, app.id, message);
  await writeRoute(redis, instance, { appId: app.id, appName: app.name, status: 'crashed' });
  logger.info({ appId, app: app.name }, 'app did not wake');
  return 'failed';
}
