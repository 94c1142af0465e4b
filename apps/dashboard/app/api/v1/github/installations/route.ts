import { gitHubInstallationsResponse } from '@cove/shared/contracts/github';
import { describeGitHub } from '@cove/shared/github/installations';
import { authenticate, reply, route } from '../../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(gitHubInstallationsResponse, await describeGitHub(context, principal.workspaceId));
});
