// An app's history as lifecycle/ recorded it: every status change of the app and its deployments.
import { and, desc, eq } from 'drizzle-orm';
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
