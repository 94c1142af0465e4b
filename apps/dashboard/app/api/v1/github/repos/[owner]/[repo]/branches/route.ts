import { gitHubBranchesResponse } from '@cove/shared/contracts/github';
import { listRepositoryBranches } from '@cove/shared/github/pickers';
import { authenticate, reply, route } from '../../../../../../../../lib/server/http';

export const GET = route<{ owner: string; repo: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const branches = await listRepositoryBranches(context, principal.workspaceId, params.owner, params.repo);
  return reply(gitHubBranchesResponse, branches);
});
