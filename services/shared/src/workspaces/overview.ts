// The current workspace as its members see it: name, the caller's role, limits and usage.
import { eq } from 'drizzle-orm';
import type { Principal } from '../auth/accounts';
import type { WorkspaceView } from '../contracts/workspaces';
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
