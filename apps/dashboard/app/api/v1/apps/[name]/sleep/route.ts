import { requestSleep } from '@cove/shared/apps/service';
import { messageResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../lib/server/http';

export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  return reply(messageResponse, await requestSleep(context, principal.workspaceId, params.name), 202);
});
