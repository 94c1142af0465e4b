// The one place that writes a status: it locks the row, checks the step against states.ts, writes
// the new status with what goes with it, and records the transition, all in one transaction (a
// savepoint when the caller's transaction is already open). Used by the other files of lifecycle/
// only; the rest of Cove calls their named steps.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client';
import { type AppStatus, apps } from '../db/schema/apps';
import { type DeploymentStatus, deployments } from '../db/schema/deployments';
import { appTransitions, type TransitionActor, type TransitionSubject } from '../db/schema/lifecycle';
import { checkAppStep, checkDeploymentStep } from './states';

/** A database or an open transaction. */
export type Writer = Pick<Database, 'transaction'>;

/** Who or what asks for a change: a person (by id, when known) or one of the platform's processes. */
export type Actor = { kind: 'user'; userId: string | null } | { kind: Exclude<TransitionActor, 'user'> };

export const builder: Actor = { kind: 'builder' };
export const reconciler: Actor = { kind: 'reconciler' };
export const webhook: Actor = { kind: 'webhook' };
export function user(userId: string | null): Actor {
  return { kind: 'user', userId };
}

/** isChanged false: the row is gone, a condition no longer held, or the step was refused (why). */
export type ChangeResult<Row extends { status: string }> =
  | { isChanged: true; from: Row['status']; row: Row }
  | { isChanged: false; refusal: string };

export type AppRow = typeof apps.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;

export interface Transition {
  by: Actor;
  /** Why, for the history: the status message when there is one. */
  reason: string;
}

function actorColumns(by: Actor) {
  return { actor: by.kind, actorUserId: by.kind === 'user' ? by.userId : null };
}

type AppColumns = Omit<PgUpdateSetSource<typeof apps>, 'status' | 'updatedAt'>;
type DeploymentColumns = Omit<PgUpdateSetSource<typeof deployments>, 'status'>;

export interface AppChange extends Transition {
  appId: string;
  to: AppStatus;
  /** Narrower than states.ts allows, for this step (e.g. only a running app is frozen). */
  from?: readonly AppStatus[];
  /** Holds as well, or nothing changes (e.g. the same live deployment). */
  where?: SQL | undefined;
  /** Written with the status (message, crash count, live deployment). */
  set?: AppColumns;
  deploymentId?: string | null;
}

export async function changeAppStatus(writer: Writer, change: AppChange): Promise<ChangeResult<AppRow>> {
  return writer.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: apps.status, workspaceId: apps.workspaceId })
      .from(apps)
      .where(and(eq(apps.id, change.appId), change.where))
      .for('update');
    if (!row)
      return { isChanged: false, refusal: 'The app is gone, or no longer in the state this step is for.' };
    const check = checkAppStep(row.status, change.to);
    if (!check.isAllowed) return { isChanged: false, refusal: check.reason };
    if (change.from !== undefined && !change.from.includes(row.status)) {
      return {
        isChanged: false,
        refusal: `This step takes the app to ${change.to} only from ${change.from.join(' or ')}; it is ${row.status}.`,
      };
    }
    const [updated] = await tx
      .update(apps)
      .set({ ...change.set, status: change.to, updatedAt: sql`now()` })
      .where(eq(apps.id, change.appId))
      .returning();
    if (!updated) throw new Error('a locked app row was not updated');
    await recordTransition(tx, {
      appId: change.appId,
      workspaceId: row.workspaceId,
      deploymentId: change.deploymentId ?? null,
      subject: 'app',
      fromStatus: row.status,
      toStatus: change.to,
      by: change.by,
      reason: change.reason,
    });
    return { isChanged: true, from: row.status, row: updated };
  });
}

export interface DeploymentChange extends Transition {
  deploymentId: string;
  to: DeploymentStatus;
  from?: readonly DeploymentStatus[];
  where?: SQL | undefined;
  set?: DeploymentColumns;
}

export async function changeDeploymentStatus(
  writer: Writer,
  change: DeploymentChange,
): Promise<ChangeResult<DeploymentRow>> {
  return writer.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: deployments.status, appId: deployments.appId, workspaceId: deployments.workspaceId })
      .from(deployments)
      .where(and(eq(deployments.id, change.deploymentId), change.where))
      .for('update');
    if (!row) {
      return {
        isChanged: false,
        refusal: 'The deployment is gone, or no longer in the state this step is for.',
      };
    }
    const check = checkDeploymentStep(row.status, change.to);
    if (!check.isAllowed) return { isChanged: false, refusal: check.reason };
    if (change.from !== undefined && !change.from.includes(row.status)) {
      return {
        isChanged: false,
        refusal: `This step takes the deployment to ${change.to} only from ${change.from.join(' or ')}; it is ${row.status}.`,
      };
    }
    const [updated] = await tx
      .update(deployments)
      .set({ ...change.set, status: change.to })
      .where(eq(deployments.id, change.deploymentId))
      .returning();
    if (!updated) throw new Error('a locked deployment row was not updated');
    await recordTransition(tx, {
      appId: row.appId,
      workspaceId: row.workspaceId,
      deploymentId: change.deploymentId,
      subject: 'deployment',
      fromStatus: row.status,
      toStatus: change.to,
      by: change.by,
      reason: change.reason,
    });
    return { isChanged: true, from: row.status, row: updated };
  });
}

/** For a row created with its first status (fromStatus null), or an event that keeps the status. */
export async function recordTransition(
  writer: Pick<Database, 'insert'>,
  entry: {
    appId: string;
    workspaceId: string;
    deploymentId: string | null;
    subject: TransitionSubject;
    fromStatus: string | null;
    toStatus: string;
    by: Actor;
    reason: string;
  },
): Promise<void> {
  const { by, ...columns } = entry;
  await writer.insert(appTransitions).values({ ...columns, ...actorColumns(by) });
}
