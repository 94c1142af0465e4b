import { deleteApp, getApp, updateApp } from '@cove/shared/apps/service';
import { appView, messageResponse, updateAppResponse } from '@cove/shared/contracts/api';
import { authenticate, readJson, reply, route } from '../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  return reply(appView, await getApp(context, principal.workspaceId, params.name));
});

export const DELETE = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  return reply(messageResponse, await deleteApp(context, principal.workspaceId, params.name));
});

export const PATCH = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const body = await readJson(request);
  return reply(
    updateAppResponse,
    await updateApp(context, principal.workspaceId, params.name, body, principal.userId),
  );
});
