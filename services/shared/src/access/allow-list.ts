// A private app's access list: the emails of people outside its workspace who may open it.
// Members of the workspace never need to be listed. Taking an email off ends that person's sessions.
import { and, asc, eq } from 'drizzle-orm';
import { findApp } from '../apps/queries';
import { recordAuditEntry } from '../audit/audit-log';
import {
  type AppAccessView,
  type ReplaceAppAccessResponse,
  replaceAppAccessRequest,
} from '../contracts/access';
import { parseInput } from '../contracts/validation';
import type { Database } from '../db/client';
import { appAccessEmails } from '../db/schema/apps';
import { endAccessOfUnlisted, type RevokeDeps } from './revoke';

async function listEmails(
  db: Database,
  workspaceId: string,
  appId: string,
): Promise<AppAccessView['emails']> {
  const rows = await db
    .select({ email: appAccessEmails.email, createdAt: appAccessEmails.createdAt })
    .from(appAccessEmails)
    .where(and(eq(appAccessEmails.workspaceId, workspaceId), eq(appAccessEmails.appId, appId)))
    .orderBy(asc(appAccessEmails.email));
  return rows.map((row) => ({ email: row.email, addedAt: row.createdAt.toISOString() }));
}

export async function getAppAccess(
  db: Database,
  workspaceId: string,
  appName: string,
): Promise<AppAccessView> {
  const app = await findApp(db, workspaceId, appName);
  return { visibility: app.visibility, emails: await listEmails(db, workspaceId, app.id) };
}

/**
 * Replaces the whole list; emails already on it keep their date, duplicates count once. The change
 * is audited as "+email" and "-email"; people taken off lose their open sessions on the app.
 */
export async function replaceAppAccess(
  deps: RevokeDeps,
  workspaceId: string,
  appName: string,
  actorUserId: string,
  input: unknown,
): Promise<ReplaceAppAccessResponse> {
  const { db } = deps;
  const request = parseInput(replaceAppAccessRequest, input);
  const app = await findApp(db, workspaceId, appName);
  const wanted = new Set(request.emails);
  const removed = await db.transaction(async (tx) => {
    const current = await tx
      .select({ email: appAccessEmails.email })
      .from(appAccessEmails)
      .where(and(eq(appAccessEmails.workspaceId, workspaceId), eq(appAccessEmails.appId, app.id)));
    const existing = new Set(current.map((row) => row.email));
    const taken = [...existing].filter((email) => !wanted.has(email));
    for (const email of taken) {
      await tx
        .delete(appAccessEmails)
        .where(
          and(
            eq(appAccessEmails.workspaceId, workspaceId),
            eq(appAccessEmails.appId, app.id),
            eq(appAccessEmails.email, email),
          ),
        );
    }
    const added = [...wanted].filter((email) => !existing.has(email));
    if (added.length > 0) {
      await tx
        .insert(appAccessEmails)
        .values(added.map((email) => ({ appId: app.id, workspaceId, email, addedBy: actorUserId })))
        .onConflictDoNothing();
    }
    if (added.length + taken.length > 0) {
      await recordAuditEntry(tx, {
        workspaceId,
        appId: app.id,
        appName: app.name,
        actorUserId,
        action: 'access.list',
        keyNames: [...added.map((email) => `+${email}`), ...taken.map((email) => `-${email}`)],
      });
    }
    return taken;
  });
  await endAccessOfUnlisted(deps, workspaceId, app.id, removed);
  const emails = await listEmails(db, workspaceId, app.id);
  const count = emails.length === 1 ? '1 person' : `${emails.length} people`;
  const message =
    app.visibility === 'private'
      ? `Saved: besides the workspace's members, ${count} on the access list can open ${app.name}.`
      : `Saved (${count}). ${app.name} is public, so the list applies once you make it private.`;
  return { visibility: app.visibility, emails, message };
}
