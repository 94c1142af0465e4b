// The workspaces a person belongs to, and moving a browser session from one to another. A session
// moves only into a workspace its user is a member of; an API token stays in the one it was made in.
import { and, asc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/accounts';
import { hashToken } from '../auth/tokens';
import type { WorkspaceMembershipView } from '../contracts/workspaces';
import type { Database } from '../db/client';
import { memberships, sessions, workspaces } from '../db/schema/identity';
import { CoveError } from '../errors';

export async function listWorkspacesOf(
  db: Database,
  principal: Principal,
): Promise<WorkspaceMembershipView[]> {
  const rows = await db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, principal.userId))
    .orderBy(asc(memberships.createdAt), asc(workspaces.name));
  return rows.map((row) => ({ ...row, isCurrent: row.id === principal.workspaceId }));
}

export async function switchSessionWorkspace(
  db: Database,
  input: { sessionToken: string; userId: string; workspaceId: string },
): Promise<WorkspaceMembershipView> {
  const [target] = await db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, input.userId), eq(memberships.workspaceId, input.workspaceId)));
  if (!target) {
    // The same answer whether the workspace exists or not: its existence is none of the caller's business.
    throw new CoveError(
      'not_found',
      'You are not a member of that workspace. Ask one of its owners to invite you.',
    );
  }
  const [moved] = await db
    .update(sessions)
    .set({ workspaceId: target.id })
    .where(and(eq(sessions.id, hashToken(input.sessionToken)), eq(sessions.userId, input.userId)))
    .returning({ id: sessions.id });
  if (!moved) throw new CoveError('unauthenticated', 'Your session has ended. Sign in again.');
  return { ...target, isCurrent: true };
}
