import { getAppWebhook } from '@cove/shared/apps/service';
import { getWebhookResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  // The secret lets anyone trigger deploys: only developers may read it.
  const principal = await authenticate(request, context, 'developer');
  return reply(getWebhookResponse, await getAppWebhook(context, principal.workspaceId, params.name));
});
