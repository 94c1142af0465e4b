import { workspaceView } from '@cove/shared/contracts/api';
import { getWorkspaceView } from '@cove/shared/workspaces/overview';
import { authenticate, reply, route } from '../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(workspaceView, await getWorkspaceView(context, principal));
});
