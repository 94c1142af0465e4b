// An app's history as lifecycle/ recorded it: every status change of the app and its deployments.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { AppTransitionView } from '../contracts/api';
import type { Database } from '../db/client';
import { appTransitions } from '../db/schema/lifecycle';

export type AppTransition = typeof appTransitions.$inferSelect;

/** Newest first; scoped by workspace like every tenant query. */
export async function listAppHistory(
  db: Database,
  workspaceId: string,
  appId: string,
  options: { limit?: number } = {},
): Promise<AppTransition[]> {
  return db
    .select()
    .from(appTransitions)
    .where(and(eq(appTransitions.workspaceId, workspaceId), eq(appTransitions.appId, appId)))
    .orderBy(desc(appTransitions.id))
    .limit(options.limit ?? 100);
}

/** What pruneAppHistory keeps of an app however old: its newest changes, so a quiet app keeps a history. */
export const keptTransitionsPerApp = 20;

/**
 * Drops the changes recorded before `before`, except each app's newest few; returns how many went.
 * The history grows with every sleep and wake, so it is bounded by age (the operator's setting).
 */
export async function pruneAppHistory(db: Database, before: Date): Promise<number> {
  const removed = await db.execute(sql`
    delete from ${appTransitions}
    where ${appTransitions.createdAt} < ${before.toISOString()}
      and ${appTransitions.id} not in (
        select id from (
          select id, row_number() over (partition by app_id order by id desc) as newness
          from ${appTransitions}
        ) as ranked
        where newness <= ${keptTransitionsPerApp}
      )`);
  return removed.rowCount ?? 0;
}

export function toTransitionView(entry: AppTransition): AppTransitionView {
  return {
    subject: entry.subject,
    deploymentId: entry.deploymentId,
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    actor: entry.actor,
    actorUserId: entry.actorUserId,
    reason: entry.reason,
    at: entry.createdAt.toISOString(),
  };
}
