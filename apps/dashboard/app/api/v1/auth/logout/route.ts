import { endAppSessionsOf } from '@cove/shared/access/app-sessions';
import { deleteSession } from '@cove/shared/auth/accounts';
import { checkSameOrigin, clearedSessionCookie, readSessionToken } from '@cove/shared/auth/request';
import { hashToken } from '@cove/shared/auth/tokens';
import { messageResponse } from '@cove/shared/contracts/api';
import { isHttpsDashboard, route } from '../../../../../lib/server/http';

export const POST = route(async ({ request, context }) => {
  const token = readSessionToken(request.headers, context.config.COVE_DASHBOARD_URL);
  if (token) {
    checkSameOrigin(request, context.config.COVE_DASHBOARD_URL);
    await deleteSession(context.db, token);
    // Private apps opened from this session close too (their cookies live on the apps' hosts).
    await endAppSessionsOf(context.redis, context.config.COVE_INSTANCE, hashToken(token));
  }
  const response = Response.json(messageResponse.parse({ message: 'Signed out.' }));
  response.headers.append(
    'set-cookie',
    clearedSessionCookie({ isHttps: isHttpsDashboard(context, request) }),
  );
  return response;
});
