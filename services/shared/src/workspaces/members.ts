// Members of a workspace and their roles. Owners change roles and remove members; anyone may leave.
// A workspace always keeps an owner: the last one can be neither demoted nor removed, and the
// owners' rows are locked while that is checked, so two owners cannot demote each other at once.
import { and, asc, eq } from 'drizzle-orm';
import { endAccessOfFormerMember, type RevokeDeps } from '../access/revoke';
import { recordAuditEntry } from '../audit/audit-log';
import type { Principal } from '../auth/accounts';
import { requireRole } from '../auth/request';
import type { MemberView } from '../contracts/workspaces';
import type { Database } from '../db/client';
import { apiTokens, type MemberRole, memberships, sessions, users } from '../db/schema/identity';
import { CoveError } from '../errors';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export async function listMembers(db: Database, workspaceId: string): Promise<MemberView[]> {
  const rows = await db
    .select({
      userId: memberships.userId,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(memberships.createdAt), asc(users.email));
  return rows.map((row) => ({ ...row, joinedAt: row.joinedAt.toISOString() }));
}

/** The member's role and email, with the workspace's owner rows locked until the transaction ends. */
async function lockMembership(
  tx: Transaction,
  workspaceId: string,
  userId: string,
): Promise<{ role: MemberRole; email: string; ownerCount: number }> {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')))
    .orderBy(asc(memberships.userId))
    .for('update');
  const [member] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .for('update', { of: memberships });
  if (!member) throw new CoveError('not_found', 'This person is not a member of the workspace.');
  return { role: member.role, email: member.email, ownerCount: owners.length };
}

const lastOwnerMessage =
  'A workspace needs at least one owner: make another member an owner first, then try again.';

export async function changeMemberRole(
  db: Database,
  principal: Principal,
  userId: string,
  role: MemberRole,
): Promise<MemberView> {
  requireRole(principal, 'owner');
  await db.transaction(async (tx) => {
    const member = await lockMembership(tx, principal.workspaceId, userId);
    if (member.role === 'owner' && role !== 'owner' && member.ownerCount <= 1) {
      throw new CoveError('conflict', lastOwnerMessage);
    }
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.workspaceId, principal.workspaceId), eq(memberships.userId, userId)));
    if (member.role !== role) {
      await recordAuditEntry(tx, {
        workspaceId: principal.workspaceId,
        appId: null,
        appName: null,
        actorUserId: principal.userId,
        action: 'members.change_role',
        keyNames: [member.email, `${member.role} to ${role}`],
      });
    }
  });
  const changed = (await listMembers(db, principal.workspaceId)).find((member) => member.userId === userId);
  if (!changed) throw new CoveError('not_found', 'This person is not a member of the workspace.');
  return changed;
}

/** Removes the membership and the person's sessions and API tokens in this workspace. */
async function deleteMembership(tx: Transaction, workspaceId: string, userId: string): Promise<void> {
  await tx
    .delete(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  await tx.delete(apiTokens).where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.userId, userId)));
  await tx.delete(sessions).where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId)));
}

/**
 * An owner removes a member; a member removing themself leaves (any role may). Their open sessions
 * on the workspace's private apps end too.
 */
export async function removeMember(
  deps: RevokeDeps,
  principal: Principal,
  userId: string,
): Promise<{ message: string }> {
  const isLeaving = userId === principal.userId;
  if (!isLeaving) requireRole(principal, 'owner');
  const email = await deps.db.transaction(async (tx) => {
    const member = await lockMembership(tx, principal.workspaceId, userId);
    if (member.role === 'owner' && member.ownerCount <= 1) {
      throw new CoveError(
        'conflict',
        isLeaving
          ? 'You are the last owner of this workspace: make another member an owner before you leave.'
          : lastOwnerMessage,
      );
    }
    await deleteMembership(tx, principal.workspaceId, userId);
    await recordAuditEntry(tx, {
      workspaceId: principal.workspaceId,
      appId: null,
      appName: null,
      actorUserId: principal.userId,
      action: isLeaving ? 'members.leave' : 'members.remove',
      keyNames: [member.email],
    });
    return member.email;
  });
  await endAccessOfFormerMember(deps, principal.workspaceId, { userId, email });
  return { message: isLeaving ? 'You left the workspace.' : 'Removed from the workspace.' };
}
