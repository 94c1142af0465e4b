import { getAccount } from '@cove/shared/auth/accounts';
import { sessionResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(sessionResponse, await getAccount(context.db, principal));
});
