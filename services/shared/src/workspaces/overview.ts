// The current workspace as its members see it: name, the caller's role, limits and usage; and its
// owners renaming it.
import { eq } from 'drizzle-orm';
import { recordAuditEntry } from '../audit/audit-log';
import type { Principal } from '../auth/accounts';
import { requireRole } from '../auth/request';
import type { WorkspaceView } from '../contracts/workspaces';
import type { Database } from '../db/client';
import { workspaces } from '../db/schema/identity';
import { CoveError } from '../errors';
import { type LimitsDeps, workspaceLimits, workspaceUsage } from './limits';

export async function getWorkspaceView(deps: LimitsDeps, principal: Principal): Promise<WorkspaceView> {
  const [workspace] = await deps.db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, principal.workspaceId));
  if (!workspace) throw new CoveError('not_found', 'This workspace does not exist (any more).');
  const [limits, usage] = await Promise.all([
    workspaceLimits(deps, principal.workspaceId),
    workspaceUsage(deps, principal.workspaceId),
  ]);
  return { ...workspace, role: principal.role, limits, usage };
}

/** An owner renames the workspace (the name is checked by renameWorkspaceRequest). */
export async function renameWorkspace(
  deps: LimitsDeps & { db: Database },
  principal: Principal,
  name: string,
): Promise<WorkspaceView> {
  requireRole(principal, 'owner');
  await deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ name: workspaces.name })
      .from(workspaces)
      .where(eq(workspaces.id, principal.workspaceId))
      .for('update');
    if (!before) throw new CoveError('not_found', 'This workspace does not exist (any more).');
    if (before.name === name) return;
    await tx.update(workspaces).set({ name }).where(eq(workspaces.id, principal.workspaceId));
    await recordAuditEntry(tx, {
      workspaceId: principal.workspaceId,
      appId: null,
      appName: null,
      actorUserId: principal.userId,
      action: 'workspace.rename',
      keyNames: [before.name, name],
    });
  });
  return getWorkspaceView(deps, principal);
}
