import { gitHubRepositoriesResponse } from '@cove/shared/contracts/github';
import { listWorkspaceRepositories } from '@cove/shared/github/pickers';
import { authenticate, reply, route } from '../../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'developer');
  return reply(gitHubRepositoriesResponse, await listWorkspaceRepositories(context, principal.workspaceId));
});
