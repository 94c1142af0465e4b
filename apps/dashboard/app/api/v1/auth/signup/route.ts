import { createSession, signUp } from '@cove/shared/auth/accounts';
import { sendVerificationMail } from '@cove/shared/auth/email-verification';
import { checkSameOrigin, sessionCookie } from '@cove/shared/auth/request';
import { signUpRequest, signUpResponse } from '@cove/shared/contracts/api';
import { limitSignUp } from '../../../../../lib/server/abuse-limits';
import { isHttpsDashboard, readBody, route } from '../../../../../lib/server/http';

export const POST = route(async ({ request, context }) => {
  // A foreign page must not sign a visitor into an account of its choosing.
  if (request.headers.has('origin')) checkSameOrigin(request, context.config.COVE_DASHBOARD_URL);
  const input = await readBody(request, signUpRequest);
  await limitSignUp(context, request, input.email);
  const account = await signUp(context.db, input);
  const verification = await sendVerificationMail(context, account.user);
  const session = await createSession(context.db, {
    userId: account.user.id,
    workspaceId: account.workspace.id,
  });
  const response = Response.json(signUpResponse.parse({ ...account, verification }), { status: 201 });
  response.headers.append(
    'set-cookie',
    sessionCookie(session.token, session.expiresAt, { isHttps: isHttpsDashboard(context, request) }),
  );
  return response;
});
