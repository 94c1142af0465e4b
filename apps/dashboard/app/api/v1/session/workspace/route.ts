import {
  listWorkspacesResponse,
  switchWorkspaceRequest,
  workspaceMembershipView,
} from '@cove/shared/contracts/api';
import { CoveError } from '@cove/shared/errors';
import { listWorkspacesOf } from '@cove/shared/workspaces/switch';
import { authenticate, readBody, reply, route } from '../../../../../lib/server/http';
import { moveSession } from '../../../../../lib/server/session-workspace';

/** The workspaces the caller belongs to; isCurrent marks the one this session or token acts in. */
export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(listWorkspacesResponse, { workspaces: await listWorkspacesOf(context.db, principal) });
});

/** Moves the browser session into another workspace the user is a member of. */
export const POST = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  const { workspaceId } = await readBody(request, switchWorkspaceRequest);
  const moved = await moveSession(context, request, principal.userId, workspaceId);
  if (moved === null) {
    throw new CoveError(
      'invalid_input',
      'An API token belongs to the workspace it was created in; create a token in the other workspace instead.',
    );
  }
  return reply(workspaceMembershipView, moved);
});
