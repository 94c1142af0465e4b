// Puts an app to sleep: the row first (only if the app is still in the state the decision saw),
// then the route (the proxy stops sending to the container and wakes it on the next visit), then
// the container itself: paused (frozen) or stopped.
import { schema } from '@cove/shared/db/client';
import { markSleeping } from '@cove/shared/lifecycle/app-status';
import { builder } from '@cove/shared/lifecycle/record';
import { type SleepDepth, sleepMessages } from '@cove/shared/sleep/wake-state';
import { and, eq, inArray } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';

const { apps, deployments } = schema;

/** Seconds Streamlit gets to exit on its own before it is killed. */
const stopGraceSeconds = 5;

export type SleepOutcome = 'asleep' | 'not-running';

export async function putAppToSleep(
  context: BuilderContext,
  appId: string,
  depth: SleepDepth,
): Promise<SleepOutcome> {
  const { db, runtime, logger } = context;
  // Freezing applies to a running app; stopping also deepens a frozen one.
  const from = depth === 'frozen' ? (['running'] as const) : (['running', 'sleeping'] as const);
  const [row] = await db
    .select({ app: apps, live: deployments })
    .from(apps)
    .innerJoin(deployments, eq(deployments.id, apps.liveDeploymentId))
    .where(and(eq(apps.id, appId), inArray(apps.status, [...from])));
  if (!row?.live.containerId) return 'not-running';
  const { app, live } = row;
  const containerId = row.live.containerId;
  const isAsleep = await markSleeping(context, {
    app,
    liveDeploymentId: live.id,
    from,
    message: sleepMessages[depth],
    by: builder,
  });
  if (!isAsleep) return 'not-running';
  // Asleep, only the recorded replica is kept (frozen or stopped); a wake starts the others again.
  const replicas = await runtime.list({
    [labelKeys.instance]: context.config.COVE_INSTANCE,
    [labelKeys.deploymentId]: live.id,
  });
  await Promise.all(
    replicas.filter((replica) => replica.id !== containerId).map((replica) => runtime.remove(replica.id)),
  );
  if (depth === 'frozen') {
    await runtime.pause(containerId);
  } else {
    // A paused process cannot act on the stop signal: thaw it first so it exits cleanly.
    const container = await runtime.inspect(containerId);
    if (container?.state === 'paused') await runtime.unpause(containerId);
    await runtime.stop(containerId, stopGraceSeconds);
  }
  logger.info({ appId, app: app.name, depth }, 'app put to sleep');
  return 'asleep';
}
