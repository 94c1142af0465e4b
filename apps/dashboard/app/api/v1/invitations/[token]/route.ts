import { invitationPreview } from '@cove/shared/contracts/api';
import { previewInvitation } from '@cove/shared/workspaces/invitations';
import { reply, route } from '../../../../../lib/server/http';

/** Public: whoever holds the link sees which workspace, email and role it is for. */
export const GET = route<{ token: string }>(async ({ params, context }) => {
  return reply(invitationPreview, await previewInvitation(context.db, params.token));
});
