import { handlePushWebhook } from '@cove/shared/apps/service';
import { webhookAcceptedResponse } from '@cove/shared/contracts/api';
import { limitWebhook, webhookBodyLimitBytes } from '../../../../../lib/server/abuse-limits';
import { readBytes, reply, route } from '../../../../../lib/server/http';

/** Public: authenticated by the signature over the raw body, so the body is read as bytes. */
export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  await limitWebhook(context, params.name);
  const rawBody = await readBytes(request, webhookBodyLimitBytes);
  const result = await handlePushWebhook(context, params.name, request.headers, rawBody);
  return reply(webhookAcceptedResponse, result.body, result.status);
});
