import { createApiToken } from '@cove/shared/auth/accounts';
import { createTokenRequest, createTokenResponse } from '@cove/shared/contracts/api';
import { authenticate, readBody, reply, route } from '../../../../lib/server/http';

export const POST = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const { name } = await readBody(request, createTokenRequest);
  const token = await createApiToken(context.db, {
    workspaceId: principal.workspaceId,
    userId: principal.userId,
    name,
  });
  return reply(createTokenResponse, token, 201);
});
