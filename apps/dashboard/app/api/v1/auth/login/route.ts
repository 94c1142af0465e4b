import { createSession, signIn } from '@cove/shared/auth/accounts';
import { checkSameOrigin, sessionCookie } from '@cove/shared/auth/request';
import { sessionResponse, signInRequest } from '@cove/shared/contracts/api';
import { limitSignIn } from '../../../../../lib/server/abuse-limits';
import { isHttpsDashboard, readBody, route } from '../../../../../lib/server/http';

export const POST = route(async ({ request, context }) => {
  if (request.headers.has('origin')) checkSameOrigin(request, context.config.COVE_DASHBOARD_URL);
  const input = await readBody(request, signInRequest);
  const attempt = await limitSignIn(context, request, input.email);
  const account = await signIn(context.db, input);
  await attempt.succeeded();
  const session = await createSession(context.db, {
    userId: account.user.id,
    workspaceId: account.workspace.id,
  });
  const response = Response.json(sessionResponse.parse(account));
  response.headers.append(
    'set-cookie',
    sessionCookie(session.token, session.expiresAt, { isHttps: isHttpsDashboard(context, request) }),
  );
  return response;
});
