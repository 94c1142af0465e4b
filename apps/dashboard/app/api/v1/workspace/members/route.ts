import { listMembersResponse } from '@cove/shared/contracts/api';
import { listMembers } from '@cove/shared/workspaces/members';
import { authenticate, reply, route } from '../../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(listMembersResponse, { members: await listMembers(context.db, principal.workspaceId) });
});
