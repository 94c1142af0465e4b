// Starts the live deployment of an app again from its image: a reboot asked for by the author, or
// the reconciler bringing back a container that crashed or disappeared. The root filesystem is
// read-only, so a fresh container from the same image loses nothing. A reboot of a running app is
// the health-checked swap (swap-live-container.ts); the rest replace a container that serves nobody.
import { schema } from '@cove/shared/db/client';
import { writeRoute } from '@cove/shared/routing/route-table';
import { and, eq, sql } from 'drizzle-orm';
import { DeployFailure } from '../builds/failure';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';
import { startHealthyContainer } from './container';
import { deploymentImageId } from './deployment-image';
import { readLiveDeployment } from './live-deployment';
import { swapLiveContainer } from './swap-live-container';

const { apps, deployments } = schema;

export type RestartOutcome = 'running' | 'failed' | 'nothing-live';

export async function restartLiveDeployment(
  context: BuilderContext,
  appId: string,
  reason: 'reboot' | 'recover',
): Promise<RestartOutcome> {
  const { db, redis, runtime, config, logger } = context;
  const row = await readLiveDeployment(db, appId);
  if (!row?.live.imageTag) return 'nothing-live';
  const { app, live } = row;

  const existing = await runtime.list({
    [labelKeys.instance]: config.COVE_INSTANCE,
    [labelKeys.deploymentId]: live.id,
  });
  if (reason === 'reboot' && existing.some((container) => container.state === 'running')) {
    // What serves keeps serving until its replacement answers; a container that does not start
    // (secrets this builder cannot decrypt, an app that fails) leaves it be, with the reason.
    const outcome = await swapLiveContainer(context, app.id, 'reboot');
    return outcome === 'swapped' ? 'running' : outcome;
  }
  for (const container of existing) await runtime.remove(container.id);

  const imageId = await deploymentImageId(context, live);
  if (imageId === null) {
    // Someone removed the image by hand (or another installation sharing this engine did): say so
    // instead of failing the same way on every pass.
    const commit = live.commitSha?.slice(0, 7) ?? 'unknown';
    await markCrashed(
      context,
      app.id,
      live.id,
      `The image of the live version (commit ${commit}) is no longer on this host, so it cannot be started again. Redeploy to rebuild it.`,
    );
    return 'failed';
  }

  const target = { appId: app.id, appName: app.name, deploymentId: live.id, imageId };
  try {
    const container = await startHealthyContainer(context, target);
    if (container.hostPort === null) throw new Error('The restarted container has no published port');
    await db
      .update(deployments)
      .set({ containerId: container.id, hostPort: container.hostPort })
      .where(eq(deployments.id, live.id));
    // A reboot is a fresh start; a recovery keeps counting crashes so restarts back off.
    await db
      .update(apps)
      .set({
        status: 'running',
        statusMessage: null,
        updatedAt: sql`now()`,
        ...(reason === 'reboot' ? { crashCount: 0 } : {}),
      })
      .where(and(eq(apps.id, app.id), eq(apps.liveDeploymentId, live.id)));
    await writeRoute(redis, config.COVE_INSTANCE, {
      appId: app.id,
      appName: app.name,
      status: 'running',
      upstream: { host: '127.0.0.1', port: container.hostPort },
    });
    return 'running';
  } catch (error) {
    if (!(error instanceof DeployFailure)) throw error;
    logger.info({ appId, deploymentId: live.id, reason }, 'the live version did not come back');
    await markCrashed(context, app.id, live.id, error.message);
    return 'failed';
  }
}

/** The live version is down: the app reads crashed, with why, and its crash count goes up. */
export async function markCrashed(
  context: BuilderContext,
  appId: string,
  liveDeploymentId: string,
  message: string,
): Promise<void> {
  await context.db
    .update(apps)
    .set({
      status: 'crashed',
      statusMessage: message,
      crashCount: sql`${apps.crashCount} + 1`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(apps.id, appId), eq(apps.liveDeploymentId, liveDeploymentId)));
}
