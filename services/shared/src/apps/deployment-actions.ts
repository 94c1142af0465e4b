// What a user asks of one deployment: cancel it while it is queued or building, or make an earlier
// successful one live again. Both write Postgres first; the builder follows (it watches a running
// build's row, and builds a rollback by starting the recorded image, never by rebuilding).
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DeploymentView } from '../contracts/api';
import { apps } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { endOfLogMessage, logChannel } from '../logs/deployment-logs';
import { checkCanRun } from '../workspaces/limits';
import type { AppsDeps } from './deps';
import { findApp, findDeployment } from './queries';
import { hasServed, toDeploymentView } from './views';

const inProgress = ['queued', 'building', 'deploying'] as const;

export const cancelledMessage = 'Cancelled before it went live; the previous version keeps serving.';

/** Cancels a queued or running build; the builder stops it within a second or two. */
export async function cancelDeployment(
  deps: AppsDeps,
  workspaceId: string,
  appName: string,
  deploymentId: string,
): Promise<DeploymentView> {
  const app = await findApp(deps.db, workspaceId, appName);
  const deployment = await findDeployment(deps.db, workspaceId, appName, deploymentId);
  const [cancelled] = await deps.db
    .update(deployments)
    .set({ status: 'cancelled', errorMessage: cancelledMessage, finishedAt: sql`now()` })
    .where(
      and(
        eq(deployments.workspaceId, workspaceId),
        eq(deployments.id, deployment.id),
        inArray(deployments.status, inProgress),
      ),
    )
    .returning();
  if (!cancelled) {
    const [now] = await deps.db.select().from(deployments).where(eq(deployments.id, deployment.id));
    throw new CoveError(
      'conflict',
      `This deployment is ${now?.status ?? deployment.status}, not building: there is nothing to cancel.`,
    );
  }
  // Before any version is live, the app's status is its build's.
  await deps.db
    .update(apps)
    .set({ status: 'failed', statusMessage: 'The build was cancelled. Redeploy to start the app.' })
    .where(
      and(
        eq(apps.workspaceId, workspaceId),
        eq(apps.id, app.id),
        isNull(apps.liveDeploymentId),
        inArray(apps.status, inProgress),
      ),
    );
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
  const [deployment] = await deps.db
    .insert(deployments)
    .values({
      appId: app.id,
      workspaceId,
      trigger: 'rollback',
      branch: source.branch,
      commitSha: source.commitSha,
      commitMessage: source.commitMessage,
      commitAuthor: source.commitAuthor,
      imageTag: source.imageTag,
      imageId: source.imageId,
      status: 'queued',
    })
    .returning();
  if (!deployment) throw new Error('insert returned no row');
  await deps.queues.enqueueBuild({ deploymentId: deployment.id });
  return toDeploymentView(deployment);
}
