import { createInvitationResponse, listInvitationsResponse } from '@cove/shared/contracts/api';
import { isMailConfigured } from '@cove/shared/mail/send';
import { createInvitation, listInvitations } from '@cove/shared/workspaces/invitations';
import { authenticate, readJson, reply, route } from '../../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'owner');
  return reply(listInvitationsResponse, {
    invitations: await listInvitations(context.db, principal.workspaceId),
    isMailConfigured: isMailConfigured(context.config),
  });
});

export const POST = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'owner');
  return reply(
    createInvitationResponse,
    await createInvitation(context, principal, await readJson(request)),
    201,
  );
});
