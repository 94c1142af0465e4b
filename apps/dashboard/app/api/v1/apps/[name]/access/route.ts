import { getAppAccess, replaceAppAccess } from '@cove/shared/access/allow-list';
import { appAccessView, replaceAppAccessResponse } from '@cove/shared/contracts/api';
import { authenticate, readJson, reply, route } from '../../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  return reply(appAccessView, await getAppAccess(context, principal.workspaceId, params.name));
});

export const PUT = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const body = await readJson(request);
  return reply(
    replaceAppAccessResponse,
    await replaceAppAccess(context, principal.workspaceId, params.name, principal.userId, body),
  );
});
