// Mails the caller a fresh address verification link (the first may have expired or not arrived).
import { getAccount } from '@cove/shared/auth/accounts';
import { sendVerificationMail } from '@cove/shared/auth/email-verification';
import { verificationMailResponse } from '@cove/shared/contracts/api';
import { limitVerificationMail } from '../../../../../lib/server/abuse-limits';
import { authenticate, reply, route } from '../../../../../lib/server/http';

export const POST = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  const { user } = await getAccount(context.db, principal);
  if (user.isEmailVerified) {
    return reply(verificationMailResponse, {
      isMailSent: false,
      message: 'Your address is verified already.',
    });
  }
  await limitVerificationMail(context, user.email);
  return reply(verificationMailResponse, await sendVerificationMail(context, user));
});
