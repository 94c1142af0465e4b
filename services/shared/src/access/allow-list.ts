// A private app's access list: the emails of people outside its workspace who may open it, once an
// account verified the address. Members of the workspace never need to be listed. Taking an email
// off ends that person's sessions.
import { and, asc, eq, sql } from 'drizzle-orm';
import { findApp } from '../apps/queries';
import { recordAuditEntry } from '../audit/audit-log';
import { noMailVerificationNote } from '../auth/email-verification';
import {
  type AppAccessView,
  type ReplaceAppAccessResponse,
  replaceAppAccessRequest,
} from '../contracts/access';
import { parseInput } from '../contracts/validation';
import type { Database } from '../db/client';
import { appAccessEmails } from '../db/schema/apps';
import { users } from '../db/schema/identity';
import { isMailConfigured, type MailConfig } from '../mail/send';
import { endAccessOfUnlisted, type RevokeDeps } from './revoke';

export interface AccessListDeps {
  db: Database;
  config: MailConfig;
}

/**
 * Each entry says only whether the address is verified: "no account" and "an account that has not
 * proved it" read the same, so the list tells a developer nothing sign-up would not.
 */
async function listEmails(
  db: Database,
  workspaceId: string,
  appId: string,
): Promise<AppAccessView['emails']> {
  const rows = await db
    .select({
      email: appAccessEmails.email,
      createdAt: appAccessEmails.createdAt,
      isVerified: sql<boolean>`coalesce(bool_or(${users.emailVerifiedAt} is not null), false)`,
    })
    .from(appAccessEmails)
    .leftJoin(users, eq(users.email, appAccessEmails.email))
    .where(and(eq(appAccessEmails.workspaceId, workspaceId), eq(appAccessEmails.appId, appId)))
    .groupBy(appAccessEmails.email, appAccessEmails.createdAt)
    .orderBy(asc(appAccessEmails.email));
  return rows.map((row) => ({
    email: row.email,
    addedAt: row.createdAt.toISOString(),
    isVerified: row.isVerified,
  }));
}

export function accessListVerificationNote(config: MailConfig): string {
  const rule = 'A listed email opens the app only for an account that has verified that address.';
  return isMailConfigured(config)
    ? `${rule} Cove mails a verification link at sign-up; accepting a workspace invitation also verifies.`
    : `${rule} ${noMailVerificationNote}`;
}

export async function getAppAccess(
  deps: AccessListDeps,
  workspaceId: string,
  appName: string,
): Promise<AppAccessView> {
  const app = await findApp(deps.db, workspaceId, appName);
  return {
    visibility: app.visibility,
    emails: await listEmails(deps.db, workspaceId, app.id),
    verificationNote: accessListVerificationNote(deps.config),
  };
}

/**
 * Replaces the whole list; emails already on it keep their date, duplicates count once. The change
 * is audited as "+email" and "-email"; people taken off lose their open sessions on the app.
 */
export async function replaceAppAccess(
  deps: RevokeDeps & AccessListDeps,
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
  const unverified = emails.filter((entry) => !entry.isVerified).length;
  const pending =
    unverified === 0
      ? ''
      : ` ${unverified === 1 ? '1 address is' : `${unverified} addresses are`} not verified yet and open${unverified === 1 ? 's' : ''} nothing until ${unverified === 1 ? 'it is' : 'they are'}.`;
  const message =
    app.visibility === 'private'
      ? `Saved: besides the workspace's members, ${count} on the access list can open ${app.name}.${pending}`
      : `Saved (${count}). ${app.name} is public, so the list applies once you make it private.${pending}`;
  return {
    visibility: app.visibility,
    emails,
    verificationNote: accessListVerificationNote(deps.config),
    message,
  };
}
