// The link mailed at sign-up: opening it verifies the address once, then shows the outcome.
import { confirmEmailAddress } from '@cove/shared/auth/email-verification';
import { route } from '../../../lib/server/http';

export const GET = route<{ token: string }>(async ({ params, context }) => {
  const result = await confirmEmailAddress(context, params.token);
  return new Response(null, {
    status: 303,
    headers: {
      location: `/verify?${new URLSearchParams({ result: result.state })}`,
      'cache-control': 'no-store',
    },
  });
});
