// The deployments row is the truth about a build: each step writes its status there, and the app's
// status follows. While an earlier version is live the app stays 'running' (it is serving) and the
// dashboard shows the latest deployment's progress beside it; before any version is live the app's
// status is the build's (building, deploying, failed).
import { type Database, schema } from '@cove/shared/db/client';
import type { AppStatus } from '@cove/shared/db/schema/apps';
import type { DeploymentStatus } from '@cove/shared/db/schema/deployments';
import { and, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';

const { apps, deployments } = schema;

export type App = typeof apps.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;

export const inProgressStatuses = ['queued', 'building', 'deploying'] as const satisfies DeploymentStatus[];

export function isInProgress(status: DeploymentStatus): boolean {
  return (inProgressStatuses as readonly DeploymentStatus[]).includes(status);
}

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

/** Claims the deployment for building; false when it is already finished (nothing to do). */
export async function markBuilding(db: Database, deploymentId: string): Promise<boolean> {
  const updated = await db
    .update(deployments)
    .set({
      status: 'building',
      startedAt: sql`coalesce(${deployments.startedAt}, now())`,
      heartbeatAt: sql`now()`,
      errorMessage: null,
    })
    .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, inProgressStatuses)))
    .returning({ id: deployments.id });
  return updated.length > 0;
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

export async function markDeploying(
  db: Pick<Database, 'update'>,
  deploymentId: string,
  image: { imageTag: string | null; imageId: string },
): Promise<void> {
  await db
    .update(deployments)
    .set({ status: 'deploying', imageTag: image.imageTag, imageId: image.imageId, heartbeatAt: sql`now()` })
    .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, inProgressStatuses)));
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

export async function markSuperseded(db: Database, deploymentId: string, message: string): Promise<void> {
  await db
    .update(deployments)
    .set({ status: 'superseded', errorMessage: message, finishedAt: sql`now()` })
    .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, inProgressStatuses)));
}

/** Back in the queue after a passing fault; BullMQ runs the job again after its backoff. */
export async function markRetrying(db: Database, deploymentId: string): Promise<void> {
  await db
    .update(deployments)
    .set({ status: 'queued', heartbeatAt: null })
    .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, inProgressStatuses)));
}

/**
 * A deployment whose builder stopped mid-build (killed, restarted): building or deploying, with no
 * heartbeat for `staleSeconds`. Compared with Postgres's clock, the one that wrote the heartbeat.
 */
function isInterrupted(staleSeconds: number) {
  return and(
    inArray(deployments.status, ['building', 'deploying']),
    or(
      isNull(deployments.heartbeatAt),
      lt(deployments.heartbeatAt, sql`now() - make_interval(secs => ${staleSeconds}::double precision)`),
    ),
  );
}

/**
 * Counts the interruption of a deployment whose builder stopped and puts it back to 'queued', where
 * its build job takes it again from the start; unless this interruption reaches `maxInterruptions`.
 * The interruption count it reached, or null when the deployment was not (or no longer) interrupted
 * or reached the bound.
 */
export async function requeueInterrupted(
  db: Database,
  deploymentId: string,
  { staleSeconds, maxInterruptions }: { staleSeconds: number; maxInterruptions: number },
): Promise<{ interruptionCount: number; appId: string; workspaceId: string } | null> {
  const [requeued] = await db
    .update(deployments)
    .set({
      status: 'queued',
      heartbeatAt: null,
      interruptionCount: sql`${deployments.interruptionCount} + 1`,
    })
    .where(
      and(
        eq(deployments.id, deploymentId),
        isInterrupted(staleSeconds),
        lt(sql`${deployments.interruptionCount} + 1`, maxInterruptions),
      ),
    )
    .returning({
      interruptionCount: deployments.interruptionCount,
      appId: deployments.appId,
      workspaceId: deployments.workspaceId,
    });
  return requeued ?? null;
}

/** Counts the interruption and fails the deployment; false when it was not (or no longer) interrupted. */
export async function failInterrupted(
  db: Database,
  deploymentId: string,
  { staleSeconds, errorMessage }: { staleSeconds: number; errorMessage: string },
): Promise<boolean> {
  const [failed] = await db
    .update(deployments)
    .set({
      status: 'failed',
      errorMessage,
      finishedAt: sql`now()`,
      interruptionCount: sql`${deployments.interruptionCount} + 1`,
    })
    .where(and(eq(deployments.id, deploymentId), isInterrupted(staleSeconds)))
    .returning({ appId: deployments.appId, workspaceId: deployments.workspaceId });
  if (failed) await showFailureOnApp(db, failed, errorMessage);
  return failed !== undefined;
}

export async function markFailed(db: Database, deploymentId: string, errorMessage: string): Promise<void> {
  const [failed] = await db
    .update(deployments)
    .set({ status: 'failed', errorMessage, finishedAt: sql`now()` })
    .where(and(eq(deployments.id, deploymentId), inArray(deployments.status, inProgressStatuses)))
    .returning({ appId: deployments.appId, workspaceId: deployments.workspaceId });
  if (failed) await showFailureOnApp(db, failed, errorMessage);
}

/** Shows build progress on the app, unless a live version is what the app's status describes. */
export async function showProgressOnApp(
  db: Database,
  app: { id: string; workspaceId: string },
  status: Extract<AppStatus, 'building' | 'deploying'>,
  message: string,
): Promise<void> {
  await db
    .update(apps)
    .set({ status, statusMessage: message, updatedAt: sql`now()` })
    .where(and(eq(apps.id, app.id), eq(apps.workspaceId, app.workspaceId), isNull(apps.liveDeploymentId)));
}

async function showFailureOnApp(
  db: Database,
  app: { appId: string; workspaceId: string },
  errorMessage: string,
): Promise<void> {
  const scope = and(eq(apps.id, app.appId), eq(apps.workspaceId, app.workspaceId));
  await db
    .update(apps)
    .set({ status: 'failed', statusMessage: errorMessage, updatedAt: sql`now()` })
    .where(and(scope, isNull(apps.liveDeploymentId)));
}
