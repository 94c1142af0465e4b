import { revealSecrets } from '@cove/shared/apps/service';
import { revealedSecrets } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../../lib/server/http';

/** A POST (audited, never cached or prefetched): the values leave the server only when asked for. */
export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const response = reply(revealedSecrets, await revealSecrets(context, principal, params.name));
  response.headers.set('cache-control', 'no-store');
  return response;
});
