import { deleteSecrets, getSecretKeys, replaceSecrets } from '@cove/shared/apps/service';
import { replaceSecretsResponse, secretsView } from '@cove/shared/contracts/api';
import { authenticate, readText, reply, route } from '../../../../../../lib/server/http';

export const GET = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  return reply(secretsView, await getSecretKeys(context, principal.workspaceId, params.name));
});

/** The body is the secrets' TOML itself (text/plain), exactly as pasted. */
export const PUT = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const toml = await readText(request);
  return reply(replaceSecretsResponse, await replaceSecrets(context, principal, params.name, toml));
});

export const DELETE = route<{ name: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'developer');
  return reply(replaceSecretsResponse, await deleteSecrets(context, principal, params.name));
});
