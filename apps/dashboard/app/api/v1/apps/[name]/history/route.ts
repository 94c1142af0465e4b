import { getAppHistory } from '@cove/shared/apps/service';
import { appHistoryResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  const transitions = await getAppHistory(context, principal.workspaceId, params.name);
  return reply(appHistoryResponse, { transitions });
});
