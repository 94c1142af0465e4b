// Invitations: an owner invites an email with a role; the link <dashboard>/invite/<token> works once,
// until it expires, for a signed-in person with that email. Re-inviting an email replaces its pending
// invitation. Only the token's SHA-256 is stored. Accepting verifies the address: the link went to it
// (by mail, or passed on by the owner, who vouches for who got it).
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { recordAuditEntry } from '../audit/audit-log';
import type { Principal } from '../auth/accounts';
import { markEmailVerified } from '../auth/email-verification';
import { requireRole } from '../auth/request';
import { generateToken, hashToken } from '../auth/tokens';
import type { CommonConfig } from '../config/schemas';
import { parseInput } from '../contracts/validation';
import {
  type CreateInvitationResponse,
  createInvitationRequest,
  type InvitationPreview,
  type InvitationView,
  type WorkspaceMembershipView,
} from '../contracts/workspaces';
import type { Database } from '../db/client';
import { invitations, memberships, users, workspaces } from '../db/schema/identity';
import { CoveError } from '../errors';
import { isMailConfigured, mailErrorCode } from '../mail/send';
import { sendInvitationMail } from './invitation-mail';

export interface InvitationsDeps {
  db: Database;
  config: Pick<
    CommonConfig,
    'COVE_DASHBOARD_URL' | 'COVE_INVITATION_DAYS' | 'COVE_SMTP_URL' | 'COVE_MAIL_FROM'
  >;
}

type InvitationRow = typeof invitations.$inferSelect;

export function invitationLink(config: Pick<CommonConfig, 'COVE_DASHBOARD_URL'>, token: string): string {
  return `${config.COVE_DASHBOARD_URL.replace(/\/+$/, '')}/invite/${token}`;
}

function toView(row: InvitationRow, invitedBy: string | null): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invitedBy,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

const isPending = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));

async function workspaceName(db: Database, workspaceId: string): Promise<string> {
  const [row] = await db
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!row) throw new CoveError('not_found', 'This workspace does not exist (any more).');
  return row.name;
}

export async function createInvitation(
  deps: InvitationsDeps,
  principal: Principal,
  input: unknown,
  now: Date = new Date(),
): Promise<CreateInvitationResponse> {
  requireRole(principal, 'owner');
  const { email, role } = parseInput(createInvitationRequest, input);
  const [existing] = await deps.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, principal.workspaceId), eq(users.email, email)));
  if (existing) {
    const message = `${email} is already a member of this workspace; change their role in the member list instead.`;
    throw new CoveError('conflict', message, { fields: { email: message } });
  }
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + deps.config.COVE_INVITATION_DAYS * 24 * 3600 * 1000);
  const row = await deps.db.transaction(async (tx) => {
    // A new invitation replaces the pending one: its link stops working.
    await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(eq(invitations.workspaceId, principal.workspaceId), eq(invitations.email, email), isPending),
      );
    const [inserted] = await tx
      .insert(invitations)
      .values({
        workspaceId: principal.workspaceId,
        email,
        role,
        tokenHash: hashToken(token),
        invitedBy: principal.userId,
        expiresAt,
      })
      .returning();
    if (!inserted) throw new Error('insert returned no row');
    await recordAuditEntry(tx, {
      workspaceId: principal.workspaceId,
      appId: null,
      appName: null,
      actorUserId: principal.userId,
      action: 'invitations.create',
      keyNames: [email, role],
    });
    return inserted;
  });
  const [inviter] = await deps.db
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, principal.userId));
  const invitation = toView(row, inviter?.email ?? null);
  const link = invitationLink(deps.config, token);
  if (!isMailConfigured(deps.config)) {
    return {
      invitation,
      isMailSent: false,
      link,
      message: `No mail is configured on this Cove, so nothing was sent: copy the link and pass it on to ${email}.`,
    };
  }
  try {
    await sendInvitationMail(deps.config, {
      to: email,
      workspaceName: await workspaceName(deps.db, principal.workspaceId),
      inviterEmail: inviter?.email ?? null,
      role,
      link,
      expiresAt,
    });
  } catch (error) {
    const code = mailErrorCode(error);
    return {
      invitation,
      isMailSent: false,
      link,
      message: `The invitation mail could not be sent${code}: copy the link and pass it on to ${email}, or tell the operator.`,
    };
  }
  return { invitation, isMailSent: true, link: null, message: `Invitation sent to ${email}.` };
}

/** Pending invitations of the workspace, newest first. */
export async function listInvitations(
  db: Database,
  workspaceId: string,
  now: Date = new Date(),
): Promise<InvitationView[]> {
  const rows = await db
    .select({ invitation: invitations, invitedBy: users.email })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.workspaceId, workspaceId), isPending, gt(invitations.expiresAt, now)))
    .orderBy(desc(invitations.createdAt));
  return rows.map((row) => toView(row.invitation, row.invitedBy));
}

export async function revokeInvitation(
  db: Database,
  principal: Principal,
  invitationId: string,
  now: Date = new Date(),
): Promise<{ message: string }> {
  requireRole(principal, 'owner');
  const revoked = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(eq(invitations.workspaceId, principal.workspaceId), eq(invitations.id, invitationId), isPending),
      )
      .returning({ email: invitations.email });
    if (!row) throw new CoveError('not_found', 'No pending invitation has this id in the workspace.');
    await recordAuditEntry(tx, {
      workspaceId: principal.workspaceId,
      appId: null,
      appName: null,
      actorUserId: principal.userId,
      action: 'invitations.withdraw',
      keyNames: [row.email],
    });
    return row;
  });
  return { message: `The invitation of ${revoked.email} no longer works.` };
}

function stateOf(row: InvitationRow, now: Date): InvitationPreview['state'] {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';
}

const unknownLink = 'This invitation link is not valid. Ask the workspace owner for a new one.';

/** What the invite page shows to whoever holds the link. */
export async function previewInvitation(
  db: Database,
  token: string,
  now: Date = new Date(),
): Promise<InvitationPreview> {
  const [row] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (!row) throw new CoveError('not_found', unknownLink);
  const { invitation } = row;
  return {
    workspaceName: row.workspaceName,
    email: invitation.email,
    role: invitation.role,
    state: stateOf(invitation, now),
    expiresAt: invitation.expiresAt.toISOString(),
  };
}

const stateMessages = {
  accepted: 'This invitation has already been used. Ask the workspace owner for a new one if you need it.',
  revoked: 'This invitation was withdrawn or replaced by a newer one. Use the latest link, or ask the owner.',
  expired: 'This invitation has expired. Ask the workspace owner to invite you again.',
} as const;

/**
 * The signed-in user joins with the invited role; their email must be the invited one, and holding
 * the link proves it, so the address becomes verified.
 */
export async function acceptInvitation(
  db: Database,
  input: { token: string; userId: string },
  now: Date = new Date(),
): Promise<WorkspaceMembershipView & { isAlreadyMember: boolean }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(invitations)
      .where(eq(invitations.tokenHash, hashToken(input.token)))
      .for('update');
    if (!row) throw new CoveError('not_found', unknownLink);
    const state = stateOf(row, now);
    if (state !== 'pending') throw new CoveError('conflict', stateMessages[state]);
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, input.userId));
    if (!user) throw new CoveError('unauthenticated', 'Your session has ended. Sign in again.');
    if (user.email !== row.email) {
      throw new CoveError(
        'forbidden',
        `This invitation is for ${row.email}, and you are signed in as ${user.email}. Sign out, then sign in or sign up as ${row.email}.`,
      );
    }
    await markEmailVerified(tx, input.userId, now);
    const joined = await tx
      .insert(memberships)
      .values({ workspaceId: row.workspaceId, userId: input.userId, role: row.role })
      .onConflictDoNothing()
      .returning({ role: memberships.role });
    await tx
      .update(invitations)
      .set({ acceptedAt: now, acceptedBy: input.userId })
      .where(eq(invitations.id, row.id));
    await recordAuditEntry(tx, {
      workspaceId: row.workspaceId,
      appId: null,
      appName: null,
      actorUserId: input.userId,
      action: 'invitations.accept',
      keyNames: [row.email, row.role],
    });
    const [membership] = await tx
      .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(and(eq(memberships.workspaceId, row.workspaceId), eq(memberships.userId, input.userId)));
    if (!membership) throw new Error('membership missing after insert');
    return { ...membership, isCurrent: true, isAlreadyMember: joined.length === 0 };
  });
}
