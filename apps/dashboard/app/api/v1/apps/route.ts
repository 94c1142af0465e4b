import { createApp, listApps } from '@cove/shared/apps/service';
import { createAppResponse, listAppsResponse } from '@cove/shared/contracts/api';
import { authenticate, readJson, reply, route } from '../../../../lib/server/http';

export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context);
  return reply(listAppsResponse, { apps: await listApps(context, principal.workspaceId) });
});

export const POST = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const created = await createApp(context, principal.workspaceId, await readJson(request), principal.userId);
  return reply(createAppResponse, created, 201);
});
