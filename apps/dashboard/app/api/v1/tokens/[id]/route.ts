import { revokeApiToken } from '@cove/shared/auth/api-tokens';
import { messageResponse } from '@cove/shared/contracts/api';
import { CoveError } from '@cove/shared/errors';
import { z } from 'zod';
import { authenticate, reply, route } from '../../../../../lib/server/http';

export const DELETE = route<{ id: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  if (!z.uuid().safeParse(params.id).success) {
    throw new CoveError('not_found', 'There is no such API token of yours in this workspace.');
  }
  await revokeApiToken(context.db, principal, params.id);
  return reply(messageResponse, { message: 'The token is revoked; requests that send it are refused.' });
});
