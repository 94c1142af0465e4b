import { acceptInvitationResponse } from '@cove/shared/contracts/api';
import { acceptInvitation } from '@cove/shared/workspaces/invitations';
import { authenticate, reply, route } from '../../../../../../lib/server/http';
import { moveSession } from '../../../../../../lib/server/session-workspace';

/** The signed-in person joins the workspace; a browser session moves into it. */
export const POST = route<{ token: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  const { isAlreadyMember, ...workspace } = await acceptInvitation(context.db, {
    token: params.token,
    userId: principal.userId,
  });
  await moveSession(context, request, principal.userId, workspace.id);
  const message = isAlreadyMember
    ? `You were already a member of ${workspace.name} (as ${workspace.role}).`
    : `You joined ${workspace.name} as ${workspace.role}.`;
  return reply(acceptInvitationResponse, { workspace, message });
});
