import { gitHubWebhookResponse } from '@cove/shared/contracts/github';
import { handleGitHubAppWebhook } from '@cove/shared/github/app-webhook';
import { webhookBodyLimitBytes } from '../../../../../lib/server/abuse-limits';
import { readBytes, reply, route } from '../../../../../lib/server/http';

/** Public: authenticated by the signature over the raw body, so the body is read as bytes. */
export const POST = route(async ({ request, context }) => {
  const rawBody = await readBytes(request, webhookBodyLimitBytes);
  const result = await handleGitHubAppWebhook(context, request.headers, rawBody);
  return reply(gitHubWebhookResponse, result.body, result.status);
});
