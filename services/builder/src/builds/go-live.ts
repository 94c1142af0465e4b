// The end of every build job, and all of a rollback's: swap the image's container in (health-checked,
// deploy/swap.ts), then remove images past the retention setting.
import { markDeploying, showProgressOnApp } from '@cove/shared/lifecycle/deployments';
import { claimRunningSlot } from '@cove/shared/workspaces/limits';
import type { BuilderContext } from '../context';
import { deploymentImageId } from '../deploy/deployment-image';
import { collectOldImages } from '../deploy/image-retention';
import { swapIn } from '../deploy/swap';
import { permanentFailure, shortSha } from '../failure';
import type { App, Deployment } from './deployment-state';
import type { PhaseClock } from './phase-clock';

/**
 * 'busy': another build of the app holds its lock, or a builder still works on this deployment; the
 * job waits and tries again.
 */
export type BuildOutcome = 'deployed' | 'skipped' | 'outdated' | 'superseded' | 'cancelled' | 'busy';

export interface BuildStep {
  app: App;
  deployment: Deployment;
  log: (line: string) => void;
  signal: AbortSignal;
  clock: PhaseClock;
}

/** Makes an earlier deployment's image live again: the rollback's row names it; nothing is built. */
export async function deployExistingImage(context: BuilderContext, step: BuildStep): Promise<BuildOutcome> {
  const { deployment, log } = step;
  const imageId = await deploymentImageId(context, deployment);
  if (imageId === null) {
    throw permanentFailure(
      `The image of this version (${deployment.imageId ?? deployment.imageTag ?? 'none recorded'}) is no longer on this host: old images are removed to keep disk space (COVE_IMAGE_RETENTION). Redeploy its commit instead.`,
    );
  }
  log(
    `Making ${deployment.commitSha ? shortSha(deployment.commitSha) : 'an earlier version'} live again from its image ${imageId}; nothing is rebuilt.`,
  );
  return startAndActivate(context, step, { imageTag: deployment.imageTag, imageId });
}

export async function startAndActivate(
  context: BuilderContext,
  step: BuildStep,
  image: { imageTag: string | null; imageId: string },
): Promise<BuildOutcome> {
  const { db } = context;
  const { app, deployment, log, signal, clock } = step;
  signal.throwIfAborted();
  // The workspace's limit of running apps, checked when the push or click was taken, is held here
  // under its lock: two apps starting at once never both take the last slot.
  const slot = await claimRunningSlot(context, app.workspaceId, app.id, `start ${app.name}`, (tx) =>
    markDeploying(tx, deployment.id, image),
  );
  if (slot.refusal !== null) throw permanentFailure(slot.refusal);
  await showProgressOnApp(db, app, 'deploying', 'Starting the new version.');
  const target = { appId: app.id, appName: app.name, deploymentId: deployment.id, imageId: image.imageId };
  const outcome = await swapIn(
    context,
    target,
    { kind: 'new-deployment' },
    {
      onProgress: log,
      onHealthy: () => {
        clock.lap('start to healthy');
        signal.throwIfAborted();
      },
    },
  );
  switch (outcome) {
    case 'live':
      clock.lap('switch and stop the old version');
      log('The new version is live.');
      log(clock.summary());
      await collectOldImages(context, app.id);
      return 'deployed';
    case 'outdated':
      log('A newer version went live meanwhile; this one was not switched to.');
      return 'outdated';
    case 'stopped':
      return 'cancelled';
    case 'app-deleted':
    case 'not-live':
      return 'skipped';
    default: {
      const unknown: never = outcome;
      throw new Error(`Unknown activation outcome ${String(unknown)}`);
    }
  }
}
