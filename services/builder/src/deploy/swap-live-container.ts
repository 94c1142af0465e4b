// A change that needs a fresh container of the live deployment (new secrets, new memory and CPU
// limits, a reboot) reaches a running app without downtime: a second container of the same image
// starts beside the current one; once it answers its health check the route and the deployments
// row switch to it and the old one is drained. If it does not come up, the old container keeps
// serving and the status says why.
import { schema } from '@cove/shared/db/client';
import { and, eq, sql } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { DeployFailure } from '../failure';
import { deploymentImageId } from './deployment-image';
import { readLiveDeployment } from './live-deployment';
import { swapIn } from './swap';

const { apps } = schema;

export type SwapOutcome = 'swapped' | 'failed' | 'nothing-live';

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
  const { db, logger } = context;
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
  try {
    // A fresh container is a fresh start, whatever the change: the crashes are forgotten.
    const outcome = await swapIn(context, target, {
      kind: 'fresh-container',
      crashCount: 'reset',
      reason: switchedReasons[change],
    });
    // Otherwise a new version went live (or the app was deleted) meanwhile: it was started with the change.
    return outcome === 'live' ? 'swapped' : 'nothing-live';
  } catch (error) {
    if (!(error instanceof DeployFailure)) throw error;
    logger.info(
      { appId, deploymentId: live.id, change },
      'the fresh container of the live version did not start',
    );
    return keepServing(`${failedNotes[change]}, so the previous container keeps serving. ${error.message}`);
  }
}
