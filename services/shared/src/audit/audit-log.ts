// The audit log: who changed what in a workspace, and when. Entries name keys, never values.
import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { type AuditAction, auditLog } from '../db/schema/secrets';

/** A database or an open transaction: an entry is written in the same transaction as its change. */
type Writer = Pick<Database, 'insert'>;

export interface AuditEntryInput {
  workspaceId: string;
  appId: string | null;
  appName: string | null;
  actorUserId: string | null;
  action: AuditAction;
  keyNames: readonly string[];
}

export type AuditEntry = typeof auditLog.$inferSelect;

export async function recordAuditEntry(writer: Writer, entry: AuditEntryInput): Promise<void> {
  await writer.insert(auditLog).values({ ...entry, keyNames: [...entry.keyNames] });
}

/** A workspace's entries, newest first; optionally those of one app. */
export async function listAuditEntries(
  db: Database,
  workspaceId: string,
  options: { appId?: string; limit?: number } = {},
): Promise<AuditEntry[]> {
  const scope = options.appId
    ? and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.appId, options.appId))
    : eq(auditLog.workspaceId, workspaceId);
  return db
    .select()
    .from(auditLog)
    .where(scope)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(options.limit ?? 100);
}
