import { listDeployments, requestDeployment } from '@cove/shared/apps/service';
import { deploymentResponse, listDeploymentsResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  const deployments = await listDeployments(context, principal.workspaceId, params.name);
  return reply(listDeploymentsResponse, { deployments });
});

export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const deployment = await requestDeployment(context, principal.workspaceId, params.name, principal.userId);
  return reply(deploymentResponse, { deployment }, 202);
});
