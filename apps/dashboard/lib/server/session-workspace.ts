// Moving the browser's session between workspaces after a switch, an accepted invitation or leaving.
// Only a cookie session moves: an API token belongs to the workspace it was created in.
import { createSession, type Principal } from '@cove/shared/auth/accounts';
import { clearedSessionCookie, readSessionToken, sessionCookie } from '@cove/shared/auth/request';
import type { WorkspaceMembershipView } from '@cove/shared/contracts/api';
import { listWorkspacesOf, switchSessionWorkspace } from '@cove/shared/workspaces/switch';
import { type ServerContext, serverContext } from './context';
import { isHttpsDashboard } from './http';

/** The session cookie's value, unless the request is authenticated by a bearer token. */
export function sessionTokenOf(request: Request): string | null {
  if (request.headers.has('authorization')) return null;
  return readSessionToken(request.headers, serverContext().config.COVE_DASHBOARD_URL);
}

export async function moveSession(
  context: ServerContext,
  request: Request,
  userId: string,
  workspaceId: string,
): Promise<WorkspaceMembershipView | null> {
  const sessionToken = sessionTokenOf(request);
  if (sessionToken === null) return null;
  return switchSessionWorkspace(context.db, { sessionToken, userId, workspaceId });
}

/**
 * After leaving a workspace the session in it is gone: a new one opens in the person's first
 * remaining workspace (the Set-Cookie to send), or the cookie is cleared when none is left.
 */
export async function sessionAfterLeaving(
  context: ServerContext,
  request: Request,
  principal: Principal,
): Promise<{ cookie: string; workspace: WorkspaceMembershipView | null } | null> {
  if (sessionTokenOf(request) === null) return null;
  const options = { isHttps: isHttpsDashboard(context, request) };
  const [next] = await listWorkspacesOf(context.db, principal);
  if (!next) return { cookie: clearedSessionCookie(options), workspace: null };
  const session = await createSession(context.db, { userId: principal.userId, workspaceId: next.id });
  return {
    cookie: sessionCookie(session.token, session.expiresAt, options),
    workspace: { ...next, isCurrent: true },
  };
}
