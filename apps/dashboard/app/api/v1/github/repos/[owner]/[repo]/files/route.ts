import { gitHubFilesResponse } from '@cove/shared/contracts/github';
import { listRepositoryFiles } from '@cove/shared/github/pickers';
import { authenticate, reply, route } from '../../../../../../../../lib/server/http';

export const GET = route<{ owner: string; repo: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const files = await listRepositoryFiles(context, principal.workspaceId, params.owner, params.repo, query);
  return reply(gitHubFilesResponse, files);
});
