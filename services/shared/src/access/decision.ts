// Who may open a private app: a signed-in member of its workspace (any role), or a signed-in
// person whose verified email is on the app's access list. Public apps are open to everyone.
import { and, eq, gt } from 'drizzle-orm';
import { hashToken } from '../auth/tokens';
import type { Database } from '../db/client';
import { appAccessEmails, apps } from '../db/schema/apps';
import { memberships, sessions, users } from '../db/schema/identity';

/** The person behind a dashboard session cookie, whichever workspace the session is in. */
export interface DashboardViewer {
  userId: string;
  email: string;
  /** Only a verified address counts for access lists (auth/email-verification.ts). */
  isEmailVerified: boolean;
  /** The sessions row id (SHA-256 of the cookie). */
  sessionId: string;
  sessionExpiresAt: Date;
}

export interface AccessApp {
  id: string;
  name: string;
  workspaceId: string;
}

export type AppAccessDecision =
  | { kind: 'app_not_found' }
  | { kind: 'public'; app: AccessApp }
  | { kind: 'allowed'; app: AccessApp; reason: 'member' | 'access_list' }
  /** email_unverified: said whether or not the address is listed, so a list is not probed this way. */
  | { kind: 'denied'; app: AccessApp; reason: 'not_listed' | 'email_unverified' };

export async function findDashboardViewer(
  db: Database,
  sessionCookie: string,
  now: Date = new Date(),
): Promise<DashboardViewer | null> {
  const [row] = await db
    .select({
      userId: users.id,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      sessionId: sessions.id,
      sessionExpiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, hashToken(sessionCookie)), gt(sessions.expiresAt, now)));
  if (!row) return null;
  const { emailVerifiedAt, ...viewer } = row;
  return { ...viewer, isEmailVerified: emailVerifiedAt !== null };
}

/**
 * The app is found by its name alone (the subdomain is global); the membership and the access
 * list are then read in that app's own workspace.
 */
export async function decideAppAccess(
  db: Database,
  appName: string,
  viewer: Pick<DashboardViewer, 'userId' | 'email' | 'isEmailVerified'>,
): Promise<AppAccessDecision> {
  const [row] = await db
    .select({ id: apps.id, name: apps.name, workspaceId: apps.workspaceId, visibility: apps.visibility })
    .from(apps)
    .where(eq(apps.name, appName));
  if (!row) return { kind: 'app_not_found' };
  const app: AccessApp = { id: row.id, name: row.name, workspaceId: row.workspaceId };
  if (row.visibility === 'public') return { kind: 'public', app };
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, app.workspaceId), eq(memberships.userId, viewer.userId)));
  if (membership) return { kind: 'allowed', app, reason: 'member' };
  // Anyone can sign up with any address: until its owner proved it, it opens nothing.
  if (!viewer.isEmailVerified) return { kind: 'denied', app, reason: 'email_unverified' };
  const [listed] = await db
    .select({ email: appAccessEmails.email })
    .from(appAccessEmails)
    .where(
      and(
        eq(appAccessEmails.workspaceId, app.workspaceId),
        eq(appAccessEmails.appId, app.id),
        eq(appAccessEmails.email, viewer.email.trim().toLowerCase()),
      ),
    );
  return listed
    ? { kind: 'allowed', app, reason: 'access_list' }
    : { kind: 'denied', app, reason: 'not_listed' };
}
