import { messageResponse } from '@cove/shared/contracts/api';
import { CoveError } from '@cove/shared/errors';
import { revokeInvitation } from '@cove/shared/workspaces/invitations';
import { z } from 'zod';
import { authenticate, reply, route } from '../../../../../../lib/server/http';

export const DELETE = route<{ id: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'owner');
  if (!z.uuid().safeParse(params.id).success) {
    throw new CoveError('not_found', 'No pending invitation has this id in the workspace.');
  }
  return reply(messageResponse, await revokeInvitation(context.db, principal, params.id));
});
