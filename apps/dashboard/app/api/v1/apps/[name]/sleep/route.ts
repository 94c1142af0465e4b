import { requestSleep } from '@cove/shared/apps/service';
import { messageResponse, sleepAppRequest } from '@cove/shared/contracts/api';
import { authenticate, readBody, reply, route } from '../../../../../../lib/server/http';

export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const body = await readBody(request, sleepAppRequest);
  return reply(messageResponse, await requestSleep(context, principal.workspaceId, params.name, body), 202);
});
