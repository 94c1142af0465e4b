// A build whose builder stopped mid-way (killed, out of memory, host restart) is built again from
// the start, up to a bound: a build that stops the builder every time must not loop for ever. The
// reconciler finds such builds by their stale heartbeat; a build job that comes back finds its row
// still building. Both take it back here, and the row's count decides.
import { failInterrupted, requeueInterrupted, showProgressOnApp } from '@cove/shared/lifecycle/deployments';
import { type Actor, builder } from '@cove/shared/lifecycle/record';
import { appendLogLines, endOfLogMessage, logChannel } from '@cove/shared/logs/deployment-logs';
import type { BuilderContext } from '../context';

/** The interruption of one deployment that fails it; the ones before are built again. */
export const maxBuildInterruptions = 2;

/** Whether a deployment interrupted this many times (this one included) is failed rather than rebuilt. */
export function isPastInterruptionLimit(interruptionCount: number): boolean {
  return interruptionCount >= maxBuildInterruptions;
}

export const interruptionLimitMessage = `The builder stopped ${maxBuildInterruptions} times while working on this version (it was restarted each time), so Cove stopped building it again by itself: this build may be what stops the builder. Redeploy to try again.`;

export const rebuildingMessage =
  'The builder stopped while working on this version (it was restarted); Cove builds it again from the start.';

/**
 * 'rebuilding': back to 'queued' for its build job; 'failed': past the bound; 'not-interrupted':
 * a builder refreshed its heartbeat meanwhile, or it finished (nothing was done).
 */
export type ResumeOutcome = 'rebuilding' | 'failed' | 'not-interrupted';

/**
 * Takes back a deployment whose builder stopped: counts the interruption, removes the containers
 * its last run left (ids the caller saw before, so none a later run starts) and puts it back in the
 * queue, or fails it once the interruptions reach the bound.
 */
export async function resumeInterruptedBuild(
  context: BuilderContext,
  deploymentId: string,
  leftoverContainerIds: readonly string[],
  by: Actor = builder,
): Promise<ResumeOutcome> {
  const { db, redis, runtime, config, logger } = context;
  const instance = config.COVE_INSTANCE;
  const staleSeconds = config.COVE_BUILD_STALE_SECONDS;
  const requeued = await requeueInterrupted(db, deploymentId, {
    staleSeconds,
    maxInterruptions: maxBuildInterruptions,
    by,
  });
  const removeLeftovers = async () => {
    for (const containerId of leftoverContainerIds) {
      // Not fatal: a later run replaces a container of the same name, the reconciler removes the rest.
      await runtime
        .remove(containerId)
        .catch((error: unknown) =>
          logger.warn({ err: error, deploymentId, containerId }, 'could not remove a leftover container'),
        );
    }
  };
  if (requeued) {
    await removeLeftovers();
    await appendLogLines(db, redis, instance, deploymentId, 'build', [rebuildingMessage]);
    await showProgressOnApp(
      db,
      { id: requeued.appId, workspaceId: requeued.workspaceId },
      'building',
      'Building the app again: the builder stopped while building it.',
    );
    logger.warn(
      { deploymentId, interruptionCount: requeued.interruptionCount },
      'the builder stopped mid-build; building it again',
    );
    return 'rebuilding';
  }
  if (
    !(await failInterrupted(db, deploymentId, { staleSeconds, errorMessage: interruptionLimitMessage, by }))
  ) {
    return 'not-interrupted';
  }
  await removeLeftovers();
  await appendLogLines(db, redis, instance, deploymentId, 'build', [`Error: ${interruptionLimitMessage}`]);
  await redis.publish(logChannel(instance, deploymentId), endOfLogMessage);
  logger.warn({ deploymentId }, 'the builder stopped mid-build too many times; the deployment failed');
  return 'failed';
}
