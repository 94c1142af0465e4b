import { renameWorkspaceRequest, workspaceView } from '@cove/shared/contracts/api';
import { getWorkspaceView, renameWorkspace } from '@cove/shared/workspaces/overview';
import { authenticate, readBody, reply, route } from '../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(workspaceView, await getWorkspaceView(context, principal));
});

/** Rename the workspace (owner role). */
export const PATCH = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'owner');
  const { name } = await readBody(request, renameWorkspaceRequest);
  return reply(workspaceView, await renameWorkspace(context, principal, name));
});
