import { rotateWebhookSecret } from '@cove/shared/apps/service';
import { getWebhookResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../../lib/server/http';

/** A new webhook secret (after a leak): the old one stops working at once. */
export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  return reply(getWebhookResponse, await rotateWebhookSecret(context, principal, params.name));
});
