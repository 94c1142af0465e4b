import { createApiToken, listApiTokens } from '@cove/shared/auth/api-tokens';
import { requireSession } from '@cove/shared/auth/request';
import { createTokenRequest, createTokenResponse, listTokensResponse } from '@cove/shared/contracts/api';
import { authenticate, readBody, reply, route } from '../../../../lib/server/http';
import { toApiTokenView } from '../../../../lib/server/token-views';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  const tokens = await listApiTokens(context.db, principal);
  return reply(listTokensResponse, { tokens: tokens.map(toApiTokenView) });
});

export const POST = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'developer');
  requireSession(principal);
  const { name, scope, expiresInDays } = await readBody(request, createTokenRequest);
  const token = await createApiToken(context.db, {
    workspaceId: principal.workspaceId,
    userId: principal.userId,
    name,
    scope,
    expiresInDays,
  });
  const expiresAt = token.expiresAt ? token.expiresAt.toISOString() : null;
  return reply(createTokenResponse, { ...token, expiresAt }, 201);
});
