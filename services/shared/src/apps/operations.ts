// What a user asks of an existing app: redeploy the branch head, reboot, delete. Each writes the
// desired state to Postgres first, then asks the builder through a queue.
import { and, eq } from 'drizzle-orm';
import type { DeploymentView } from '../contracts/api';
import { apps } from '../db/schema/apps';
import { CoveError } from '../errors';
import { queueDeployment } from '../lifecycle/deployments';
import { user } from '../lifecycle/record';
import { forgetRoute } from '../lifecycle/routes';
import { rebuildSource, shortDigest } from '../uploads/deploy';
import { checkCanRun } from '../workspaces/limits';
import type { AppsDeps } from './deps';
import { findApp } from './queries';
import { forgetOldNames } from './rename';
import { toDeploymentView } from './views';

/** A new queued deployment of the app's branch; the builder resolves the head commit. */
export async function requestDeployment(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
  actorUserId: string | null = null,
): Promise<DeploymentView> {
  const app = await findApp(deps.db, workspaceId, name);
  await checkCanRun(deps, workspaceId, app.id, `deploy ${app.name}`);
  const source = await rebuildSource(deps.db, app);
  const deployment = await queueDeployment(
    deps.db,
    { appId: app.id, workspaceId, trigger: 'manual', ...source },
    {
      by: user(actorUserId),
      reason: source.uploadDigest
        ? `Redeploy of the newest uploaded folder (${shortDigest(source.uploadDigest)}).`
        : `Redeploy of the head of ${app.branch}.`,
    },
  );
  await deps.queues.enqueueBuild({ deploymentId: deployment.id });
  return toDeploymentView(deployment);
}

export async function rebootApp(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
): Promise<{ message: string }> {
  const app = await findApp(deps.db, workspaceId, name);
  if (!app.liveDeploymentId) {
    throw new CoveError(
      'conflict',
      `${name} has no running version to reboot yet. Wait for its first deploy, or redeploy it.`,
    );
  }
  await deps.queues.enqueueAppOperation({ appId: app.id, operation: 'reboot' });
  return { message: `Rebooting ${name}.` };
}

/**
 * Deletes the app, its history, secrets and old names; the builder removes its containers, images
 * and network on its next reconcile.
 */
export async function deleteApp(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
): Promise<{ message: string }> {
  const app = await findApp(deps.db, workspaceId, name);
  // Its previews go with it, each as an app of its own (routes, containers).
  const previews = await deps.db
    .select({ name: apps.name })
    .from(apps)
    .where(and(eq(apps.workspaceId, workspaceId), eq(apps.previewOfAppId, app.id)));
  for (const preview of previews) await deleteApp(deps, workspaceId, preview.name);
  await forgetOldNames(deps, app.id);
  await deps.db.delete(apps).where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, app.id)));
  await forgetRoute(deps, app.name);
  await deps.queues.enqueueAppOperation({ appId: app.id, operation: 'reconcile' });
  return { message: `Deleted ${name}.` };
}
