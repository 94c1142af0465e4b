// A deployment's steps, from queued to its end: claimed for a build, deploying its image, back in
// the queue, failed, superseded or cancelled. While an earlier version is live the app stays as it
// is (it is serving) and the dashboard shows the latest deployment beside it; before any version is
// live the app's status is the build's (building, deploying, failed).
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { type AppStatus, apps } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import {
  type Actor,
  builder,
  type ChangeResult,
  changeAppStatus,
  changeDeploymentStatus,
  type DeploymentRow,
  recordTransition,
  type Writer,
} from './record';
import { inProgressStatuses } from './states';

export type NewDeployment = Omit<typeof deployments.$inferInsert, 'id' | 'status'>;

/** The one way a deployment is created: queued, and recorded. The caller queues its build job after the commit. */
export async function queueDeployment(
  writer: Pick<Database, 'insert'>,
  values: NewDeployment,
  transition: { by: Actor; reason: string },
): Promise<DeploymentRow> {
  const [deployment] = await writer
    .insert(deployments)
    .values({ ...values, status: 'queued' })
    .returning();
  if (!deployment) throw new Error('insert returned no row');
  await recordTransition(writer, {
    appId: deployment.appId,
    workspaceId: deployment.workspaceId,
    deploymentId: deployment.id,
    subject: 'deployment',
    fromStatus: null,
    toStatus: 'queued',
    ...transition,
  });
  return deployment;
}

/** A new app starts queued (the column's default); this records it in its history. */
export async function recordAppCreated(
  writer: Pick<Database, 'insert'>,
  app: { id: string; workspaceId: string },
  by: Actor,
  reason = 'Created; its first build is queued.',
): Promise<void> {
  await recordTransition(writer, {
    appId: app.id,
    workspaceId: app.workspaceId,
    deploymentId: null,
    subject: 'app',
    fromStatus: null,
    toStatus: 'queued',
    by,
    reason,
  });
}

/** Claims the deployment for building; false when it is already finished (nothing to do). */
export async function claimBuild(db: Writer, deploymentId: string): Promise<boolean> {
  const result = await changeDeploymentStatus(db, {
    deploymentId,
    to: 'building',
    set: {
      startedAt: sql`coalesce(${deployments.startedAt}, now())`,
      heartbeatAt: sql`now()`,
      errorMessage: null,
    },
    by: builder,
    reason: 'A builder took it.',
  });
  return result.isChanged;
}

export async function markDeploying(
  db: Writer,
  deploymentId: string,
  image: { imageTag: string | null; imageId: string },
): Promise<void> {
  await changeDeploymentStatus(db, {
    deploymentId,
    to: 'deploying',
    set: { imageTag: image.imageTag, imageId: image.imageId, heartbeatAt: sql`now()` },
    by: builder,
    reason: `Starting its image ${image.imageId}.`,
  });
}

export async function markSuperseded(db: Writer, deploymentId: string, message: string): Promise<void> {
  await changeDeploymentStatus(db, {
    deploymentId,
    to: 'superseded',
    from: inProgressStatuses,
    set: { errorMessage: message, finishedAt: sql`now()` },
    by: builder,
    reason: message,
  });
}

/** Back in the queue after a passing fault; BullMQ runs the job again after its backoff. */
export async function markRetrying(
  db: Writer,
  deploymentId: string,
  reason = 'A passing fault stopped the build; it is tried again.',
): Promise<void> {
  await changeDeploymentStatus(db, {
    deploymentId,
    to: 'queued',
    set: { heartbeatAt: null },
    by: builder,
    reason,
  });
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
  db: Writer,
  deploymentId: string,
  { staleSeconds, maxInterruptions, by }: { staleSeconds: number; maxInterruptions: number; by: Actor },
): Promise<{ interruptionCount: number; appId: string; workspaceId: string } | null> {
  const result = await changeDeploymentStatus(db, {
    deploymentId,
    to: 'queued',
    where: and(isInterrupted(staleSeconds), lt(sql`${deployments.interruptionCount} + 1`, maxInterruptions)),
    set: { heartbeatAt: null, interruptionCount: sql`${deployments.interruptionCount} + 1` },
    by,
    reason: 'Its builder stopped mid-build; it is built again from the start.',
  });
  if (!result.isChanged) return null;
  const { interruptionCount, appId, workspaceId } = result.row;
  return { interruptionCount, appId, workspaceId };
}

/** Counts the interruption and fails the deployment; false when it was not (or no longer) interrupted. */
export async function failInterrupted(
  db: Writer,
  deploymentId: string,
  { staleSeconds, errorMessage, by }: { staleSeconds: number; errorMessage: string; by: Actor },
): Promise<boolean> {
  return failWithApp(db, deploymentId, { errorMessage, by }, (tx) =>
    changeDeploymentStatus(tx, {
      deploymentId,
      to: 'failed',
      where: isInterrupted(staleSeconds),
      set: {
        errorMessage,
        finishedAt: sql`now()`,
        interruptionCount: sql`${deployments.interruptionCount} + 1`,
      },
      by,
      reason: errorMessage,
    }),
  );
}

export async function failDeployment(db: Writer, deploymentId: string, errorMessage: string): Promise<void> {
  await failWithApp(db, deploymentId, { errorMessage, by: builder }, (tx) =>
    changeDeploymentStatus(tx, {
      deploymentId,
      to: 'failed',
      set: { errorMessage, finishedAt: sql`now()` },
      by: builder,
      reason: errorMessage,
    }),
  );
}

/**
 * Fails a deployment and, when no version is live, its app, in one transaction: nobody reads the
 * deployment failed beside an app still building. The app is locked first, as going live locks it.
 */
async function failWithApp(
  db: Writer,
  deploymentId: string,
  { errorMessage, by }: { errorMessage: string; by: Actor },
  fail: (tx: Writer) => Promise<ChangeResult<DeploymentRow>>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ appId: deployments.appId })
      .from(deployments)
      .where(eq(deployments.id, deploymentId));
    if (!owner) return false;
    await tx.select({ id: apps.id }).from(apps).where(eq(apps.id, owner.appId)).for('update');
    const result = await fail(tx);
    if (!result.isChanged) return false;
    await showFailureOnApp(tx, result.row, errorMessage, by);
    return true;
  });
}

/**
 * Cancels a queued or running build (the builder stops it within a second or two); the updated row,
 * or the refusal when it is no longer in progress.
 */
export async function cancelBuild(
  db: Writer,
  deployment: { id: string; workspaceId: string },
  { message, by }: { message: string; by: Actor },
): Promise<{ cancelled: DeploymentRow } | { refusal: string }> {
  const result = await changeDeploymentStatus(db, {
    deploymentId: deployment.id,
    to: 'cancelled',
    where: eq(deployments.workspaceId, deployment.workspaceId),
    set: { errorMessage: message, finishedAt: sql`now()` },
    by,
    reason: message,
  });
  if (!result.isChanged) return { refusal: result.refusal };
  await changeAppStatus(db, {
    appId: result.row.appId,
    to: 'failed',
    from: inProgressStatuses,
    where: and(eq(apps.workspaceId, deployment.workspaceId), isNull(apps.liveDeploymentId)),
    set: { statusMessage: 'The build was cancelled. Redeploy to start the app.' },
    deploymentId: deployment.id,
    by,
    reason: 'The build was cancelled before the app had a live version.',
  });
  return { cancelled: result.row };
}

/** Shows build progress on the app, unless a live version is what the app's status describes. */
export async function showProgressOnApp(
  db: Writer,
  app: { id: string; workspaceId: string },
  status: Extract<AppStatus, 'building' | 'deploying'>,
  message: string,
): Promise<void> {
  await changeAppStatus(db, {
    appId: app.id,
    to: status,
    where: and(eq(apps.workspaceId, app.workspaceId), isNull(apps.liveDeploymentId)),
    set: { statusMessage: message },
    by: builder,
    reason: message,
  });
}

async function showFailureOnApp(
  db: Writer,
  deployment: { appId: string; workspaceId: string; id: string },
  errorMessage: string,
  by: Actor,
): Promise<void> {
  await changeAppStatus(db, {
    appId: deployment.appId,
    to: 'failed',
    where: and(eq(apps.workspaceId, deployment.workspaceId), isNull(apps.liveDeploymentId)),
    set: { statusMessage: errorMessage },
    deploymentId: deployment.id,
    by,
    reason: errorMessage,
  });
}
