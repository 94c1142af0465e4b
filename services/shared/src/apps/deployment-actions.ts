// What a user asks of one deployment: cancel it while it is queued or building, or make an earlier
// successful one live again. Both write Postgres first; the builder follows (it watches a running
// build's row, and builds a rollback by starting the recorded image, never by rebuilding).
import { eq } from 'drizzle-orm';
import type { DeploymentView } from '../contracts/api';
import { deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { cancelBuild, queueDeployment } from '../lifecycle/deployments';
import { user } from '../lifecycle/record';
import { endOfLogMessage, logChannel } from '../logs/deployment-logs';
import { shortDigest } from '../uploads/deploy';
import { checkCanRun } from '../workspaces/limits';
import type { AppsDeps } from './deps';
import { findApp, findDeployment } from './queries';
import { hasServed, toDeploymentView } from './views';

export const cancelledMessage = 'Cancelled before it went live; the previous version keeps serving.';

/** Cancels a queued or running build; the builder stops it within a second or two. */
export async function cancelDeployment(
  deps: AppsDeps,
  workspaceId: string,
  appName: string,
  deploymentId: string,
  actorUserId: string | null = null,
): Promise<DeploymentView> {
  const deployment = await findDeployment(deps.db, workspaceId, appName, deploymentId);
  // Before any version is live, the app's status is its build's: cancelBuild fails it too.
  const result = await cancelBuild(deps.db, deployment, { message: cancelledMessage, by: user(actorUserId) });
  if ('refusal' in result) {
    const [now] = await deps.db.select().from(deployments).where(eq(deployments.id, deployment.id));
    throw new CoveError(
      'conflict',
      `This deployment is ${now?.status ?? deployment.status}, not building: there is nothing to cancel.`,
    );
  }
  const { cancelled } = result;
  // Whoever follows the build log stops waiting; a running build also ends it when it stops.
  await deps.redis.publish(logChannel(deps.config.COVE_INSTANCE, deployment.id), endOfLogMessage);
  return toDeploymentView(cancelled);
}

/**
 * Queues a new deployment (trigger 'rollback') that starts the image of an earlier deployment that
 * went live, so the history reads in order and the newer-wins rules of deploys apply unchanged.
 */
export async function rollbackDeployment(
  deps: AppsDeps,
  workspaceId: string,
  appName: string,
  deploymentId: string,
  actorUserId: string | null = null,
): Promise<DeploymentView> {
  const app = await findApp(deps.db, workspaceId, appName);
  const source = await findDeployment(deps.db, workspaceId, appName, deploymentId);
  if (app.liveDeploymentId === source.id) {
    throw new CoveError('conflict', 'This version is already live.');
  }
  if (!hasServed(source)) {
    throw new CoveError(
      'conflict',
      `Only a version that went live can be made live again; this deployment is ${source.status}${source.status === 'superseded' ? ' and was never live' : ''}.`,
    );
  }
  await checkCanRun(deps, workspaceId, app.id, `make this version of ${app.name} live`);
  const deployment = await queueDeployment(
    deps.db,
    {
      appId: app.id,
      workspaceId,
      trigger: 'rollback',
      branch: source.branch,
      commitSha: source.commitSha,
      uploadDigest: source.uploadDigest,
      commitMessage: source.commitMessage,
      commitAuthor: source.commitAuthor,
      imageTag: source.imageTag,
      imageId: source.imageId,
      pythonVersion: source.pythonVersion,
    },
    {
      by: user(actorUserId),
      reason: `Make live again: ${source.commitSha?.slice(0, 7) ?? (source.uploadDigest ? shortDigest(source.uploadDigest) : 'an earlier version')}.`,
    },
  );
  await deps.queues.enqueueBuild({ deploymentId: deployment.id });
  return toDeploymentView(deployment);
}
