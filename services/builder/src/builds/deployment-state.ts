// What a build reads of its deployments row, and the heartbeat that says its builder is alive. Its
// status steps are lifecycle/'s (services/shared/src/lifecycle/deployments.ts).
import { type Database, schema } from '@cove/shared/db/client';
import { inProgressStatuses } from '@cove/shared/lifecycle/states';
import { and, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';

const { apps, deployments } = schema;

export type App = typeof apps.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;

export async function loadDeployment(
  db: Database,
  deploymentId: string,
): Promise<{ deployment: Deployment; app: App } | null> {
  const [row] = await db
    .select({ deployment: deployments, app: apps })
    .from(deployments)
    .innerJoin(apps, and(eq(apps.id, deployments.appId), eq(apps.workspaceId, deployments.workspaceId)))
    .where(eq(deployments.id, deploymentId));
  return row ?? null;
}

export async function recordCommit(
  db: Database,
  deploymentId: string,
  commit: { sha: string; message: string; author: string },
): Promise<void> {
  await db
    .update(deployments)
    .set({ commitSha: commit.sha, commitMessage: commit.message, commitAuthor: commit.author })
    .where(eq(deployments.id, deploymentId));
}

/** The Python the build chose (the settings, a .python-version, or the platform's default). */
export async function recordPythonVersion(
  db: Database,
  deploymentId: string,
  pythonVersion: string,
): Promise<void> {
  await db.update(deployments).set({ pythonVersion }).where(eq(deployments.id, deploymentId));
}

/**
 * False when the deployment is no longer this worker's: cancelled, or taken back (rebuilt or failed)
 * by the reconciler after its heartbeat went stale.
 */
export async function refreshHeartbeat(db: Database, deploymentId: string): Promise<boolean> {
  const refreshed = await db
    .update(deployments)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, ['building', 'deploying'])))
    .returning({ id: deployments.id });
  return refreshed.length > 0;
}

/**
 * The newest deployment of the same app queued after this one that is under way or live: building
 * this one would be wasted, since an older version never replaces a newer one.
 */
export async function findNewerDeployment(db: Database, deployment: Deployment): Promise<Deployment | null> {
  const [newer] = await db
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.appId, deployment.appId),
        inArray(deployments.status, [...inProgressStatuses, 'running']),
        ne(deployments.id, deployment.id),
        // Compared in Postgres: a JS Date drops the microseconds, and the row would seem newer than itself.
        gt(
          deployments.createdAt,
          db
            .select({ createdAt: deployments.createdAt })
            .from(deployments)
            .where(eq(deployments.id, deployment.id)),
        ),
      ),
    )
    .orderBy(desc(deployments.createdAt))
    .limit(1);
  return newer ?? null;
}
