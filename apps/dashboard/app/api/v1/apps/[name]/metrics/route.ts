import { appMetricsQuery, appMetricsResponse } from '@cove/shared/contracts/insights';
import { parseInput } from '@cove/shared/contracts/validation';
import { getAppMetrics } from '@cove/shared/insights/service';
import { authenticate, reply, route } from '../../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  const query = parseInput(appMetricsQuery, Object.fromEntries(new URL(request.url).searchParams));
  const metrics = await getAppMetrics(context, principal.workspaceId, params.name, query);
  return reply(appMetricsResponse, metrics);
});
