// Starts the live deployment of an app again from its image: a reboot asked for by the author, or
// the reconciler bringing back a container that crashed or disappeared. The root filesystem is
// read-only, so a fresh container from the same image loses nothing. A reboot of a running app is
// the health-checked swap (swap-live-container.ts); the rest replace a container that serves nobody.
import { markCrashed } from '@cove/shared/lifecycle/app-status';
import { type Actor, builder } from '@cove/shared/lifecycle/record';
import type { BuilderContext } from '../context';
import { DeployFailure } from '../failure';
import { labelKeys } from '../runtime/types';
import { deploymentImageId } from './deployment-image';
import { readLiveDeployment } from './live-deployment';
import { rebuildMissingImage } from './rebuild-missing-image';
import { swapIn } from './swap';
import { swapLiveContainer } from './swap-live-container';

/** 'rebuilding': its image was missing, and a build of the live version will serve it. */
export type RestartOutcome = 'running' | 'failed' | 'nothing-live' | 'rebuilding';

export async function restartLiveDeployment(
  context: BuilderContext,
  appId: string,
  reason: 'reboot' | 'recover',
  by: Actor = builder,
): Promise<RestartOutcome> {
  const { db, runtime, config, logger } = context;
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
  // Nothing of these serves: they go first, so the engine holds none of them beside the new one.
  for (const container of existing) await runtime.remove(container.id);

  const imageId = await deploymentImageId(context, live);
  if (imageId === null) {
    // Not on this host (a backup restored onto a new one, an image removed by hand): bringing the
    // app back builds it again, once; a reboot, or a rebuild that did not go live, says so instead
    // of failing the same way on every pass.
    const rebuild = reason === 'recover' ? await rebuildMissingImage(context, app, live, by) : null;
    if (rebuild === 'queued' || rebuild === 'under-way') return 'rebuilding';
    const commit = live.commitSha?.slice(0, 7) ?? 'unknown';
    await markCrashed(db, {
      appId: app.id,
      liveDeploymentId: live.id,
      message:
        rebuild === 'tried-before'
          ? `The image of the live version (commit ${commit}) is no longer on this host, and building it again did not go live (see Deployments). Redeploy to rebuild it.`
          : `The image of the live version (commit ${commit}) is no longer on this host, so it cannot be started again. Redeploy to rebuild it.`,
      by,
    });
    return 'failed';
  }

  // A reboot is a fresh start; a recovery keeps counting crashes so restarts back off.
  const target = { appId: app.id, appName: app.name, deploymentId: live.id, imageId };
  try {
    const outcome = await swapIn(context, target, {
      kind: 'fresh-container',
      crashCount: reason === 'reboot' ? 'reset' : 'keep',
      by,
      reason: reason === 'reboot' ? 'Rebooted: a fresh container serves.' : 'Started again from its image.',
    });
    // Otherwise another version went live meanwhile (or the app was deleted).
    return outcome === 'live' ? 'running' : 'nothing-live';
  } catch (error) {
    if (!(error instanceof DeployFailure)) throw error;
    logger.info({ appId, deploymentId: live.id, reason }, 'the live version did not come back');
    await markCrashed(db, { appId: app.id, liveDeploymentId: live.id, message: error.message, by });
    return 'failed';
  }
}
