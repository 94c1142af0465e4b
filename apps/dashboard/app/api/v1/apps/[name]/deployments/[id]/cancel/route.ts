import { cancelDeployment } from '@cove/shared/apps/service';
import { deploymentResponse } from '@cove/shared/contracts/api';
import { authenticate, reply, route } from '../../../../../../../../lib/server/http';

export const POST = route<{ name: string; id: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const deployment = await cancelDeployment(
    context,
    principal.workspaceId,
    params.name,
    params.id,
    principal.userId,
  );
  return reply(deploymentResponse, { deployment });
});
