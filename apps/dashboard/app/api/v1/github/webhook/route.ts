import { gitHubWebhookResponse } from '@cove/shared/contracts/github';
import { handleGitHubAppWebhook } from '@cove/shared/github/app-webhook';
import { limitGitHubWebhook, webhookBodyLimitBytes } from '../../../../../lib/server/abuse-limits';
import { readBytes, reply, route } from '../../../../../lib/server/http';

/**
 * Public: authenticated by the signature over the raw body, so the body is read as bytes. Counted
 * per installation once the signature is checked, so a forger cannot use up an installation's share.
 */
export const POST = route(async ({ request, context }) => {
  const rawBody = await readBytes(request, webhookBodyLimitBytes);
  const result = await handleGitHubAppWebhook(context, request.headers, rawBody, (installationId) =>
    limitGitHubWebhook(context, installationId),
  );
  return reply(gitHubWebhookResponse, result.body, result.status);
});
