// A change that needs a fresh container of the live deployment (new secrets, new memory and CPU
// limits, a reboot) reaches a running app without downtime: a second container of the same image
// starts beside the current one; once it answers its health check the route and the deployments
// row switch to it and the old one is drained. If it does not come up, the old container keeps
// serving and the status says why.
import { randomBytes } from 'node:crypto';
import { schema } from '@cove/shared/db/client';
import { writeRoute } from '@cove/shared/routing/route-table';
import { and, eq, sql } from 'drizzle-orm';
import { DeployFailure } from '../builds/failure';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';
import { startHealthyContainer } from './container';
import { deploymentImageId } from './deployment-image';
import { readLiveDeployment } from './live-deployment';

const { apps, deployments } = schema;

export type SwapOutcome = 'swapped' | 'failed' | 'nothing-live';

/** Seconds the previous container gets to finish what it is doing before it is stopped. */
const drainSeconds = 5;

/** Why the live deployment gets a fresh container: the same swap serves each. */
export type LiveChange = 'secrets' | 'resources' | 'reboot';

const failedNotes: Record<LiveChange, string> = {
  secrets: 'The new secrets were saved, but the app did not start with them',
  resources: 'The new memory and CPU limits were saved, but the app did not start with them',
  reboot: 'The app was not rebooted: its new container did not start',
};

/** Must not run beside a reconcile pass, which would see two containers of the live deployment. */
export async function swapLiveContainer(
  context: BuilderContext,
  appId: string,
  change: LiveChange,
): Promise<SwapOutcome> {
  const { db, redis, runtime, config, logger } = context;
  const row = await readLiveDeployment(db, appId);
  if (!row?.live.imageTag) return 'nothing-live';
  const { app, live } = row;
  const keepServing = async (message: string): Promise<SwapOutcome> => {
    await db
      .update(apps)
      .set({ statusMessage: message, updatedAt: sql`now()` })
      .where(and(eq(apps.id, app.id), eq(apps.liveDeploymentId, live.id)));
    return 'failed';
  };

  const imageId = await deploymentImageId(context, live);
  if (imageId === null) {
    const commit = live.commitSha?.slice(0, 7) ?? 'unknown';
    return keepServing(
      `${failedNotes[change]}, so the previous container keeps serving. The image of the live version (commit ${commit}) is no longer on this host; redeploy to rebuild it.`,
    );
  }
  const target = { appId: app.id, appName: app.name, deploymentId: live.id, imageId };
  let container: Awaited<ReturnType<typeof startHealthyContainer>>;
  try {
    container = await startHealthyContainer(context, target, () => {}, {
      nameSuffix: randomBytes(3).toString('hex'),
    });
  } catch (error) {
    if (!(error instanceof DeployFailure)) throw error;
    logger.info(
      { appId, deploymentId: live.id, change },
      'the fresh container of the live version did not start',
    );
    return keepServing(`${failedNotes[change]}, so the previous container keeps serving. ${error.message}`);
  }
  const hostPort = container.hostPort;
  if (hostPort === null) throw new Error('The new container has no published port');

  const isSwitched = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(apps).where(eq(apps.id, app.id)).for('update');
    // A new version went live (or the app was deleted) meanwhile: it was started with the change.
    if (current?.liveDeploymentId !== live.id) return false;
    await tx
      .update(deployments)
      .set({ containerId: container.id, hostPort })
      .where(eq(deployments.id, live.id));
    // A fresh container is a fresh start, whatever the change: the crashes are forgotten.
    await tx
      .update(apps)
      .set({ status: 'running', statusMessage: null, crashCount: 0, updatedAt: sql`now()` })
      .where(eq(apps.id, app.id));
    await writeRoute(redis, config.COVE_INSTANCE, {
      appId: app.id,
      appName: app.name,
      status: 'running',
      upstream: { host: '127.0.0.1', port: hostPort },
    });
    return true;
  });
  if (!isSwitched) {
    await runtime.remove(container.id);
    return 'nothing-live';
  }
  // Only now, with the route on the new container, are the old one's open tabs closed, with a
  // close frame saying the service restarts (Streamlit's own when stopped, else the proxy's): they
  // reconnect to the new one.
  const previous = await runtime.list({
    [labelKeys.instance]: config.COVE_INSTANCE,
    [labelKeys.deploymentId]: live.id,
  });
  for (const old of previous) {
    if (old.id === container.id) continue;
    await runtime.stop(old.id, drainSeconds);
    await runtime.remove(old.id);
  }
  return 'swapped';
}
