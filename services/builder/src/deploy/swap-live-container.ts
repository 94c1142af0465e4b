// A change that needs a fresh container of the live deployment (new secrets, new memory and CPU
// limits, a reboot) reaches a running app without downtime: a second container of the same image
// starts beside the current one; once it answers its health check the route and the deployments
// row switch to it and the old one is drained. If it does not come up, the old container keeps
// serving and the status says why.
import { randomBytes } from 'node:crypto';
import { schema } from '@cove/shared/db/client';
import { switchContainer } from '@cove/shared/lifecycle/go-live';
import { and, eq, sql } from 'drizzle-orm';
import { DeployFailure } from '../builds/failure';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';
import { startHealthyContainer } from './container';
import { deploymentImageId } from './deployment-image';
import { readLiveDeployment } from './live-deployment';

const { apps } = schema;

export type SwapOutcome = 'swapped' | 'failed' | 'nothing-live';

/** Seconds the previous container gets to finish what it is doing before it is stopped. */
const drainSeconds = 5;

/** Why the live deployment gets a fresh container: the same swap serves each. */
export type LiveChange = 'secrets' | 'resources' | 'reboot';

const switchedReasons: Record<LiveChange, string> = {
  secrets: 'A fresh container with the new secrets serves.',
  resources: 'A fresh container with the new memory and CPU limits serves.',
  reboot: 'Rebooted: a fresh container serves.',
};

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
  const { db, runtime, config, logger } = context;
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

  // A fresh container is a fresh start, whatever the change: the crashes are forgotten. False when
  // a new version went live (or the app was deleted) meanwhile: it was started with the change.
  const isSwitched = await switchContainer(context, {
    app,
    liveDeploymentId: live.id,
    container: { id: container.id, hostPort },
    crashCount: 'reset',
    reason: switchedReasons[change],
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
