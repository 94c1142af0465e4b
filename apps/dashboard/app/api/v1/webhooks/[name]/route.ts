import { handlePushWebhook } from '@cove/shared/apps/service';
import { webhookAcceptedResponse } from '@cove/shared/contracts/api';
import { CoveError } from '@cove/shared/errors';
import {
  limitFailedWebhook,
  limitWebhook,
  webhookBodyLimitBytes,
} from '../../../../../lib/server/abuse-limits';
import { readBytes, reply, route } from '../../../../../lib/server/http';

/** A delivery nobody could have signed: a wrong signature, or an app that does not exist. */
function isUnauthenticated(error: unknown): boolean {
  return error instanceof CoveError && (error.code === 'invalid_signature' || error.code === 'not_found');
}

/**
 * Public: authenticated by the signature over the raw body, so the body is read as bytes. The
 * app's limit counts signed deliveries only; failed ones count against the sender's address, so
 * junk cannot hold back an app's real pushes.
 */
export const POST = route<{ name: string }>(async ({ request, params, context }) => {
  const rawBody = await readBytes(request, webhookBodyLimitBytes);
  try {
    const result = await handlePushWebhook(context, params.name, request.headers, rawBody, () =>
      limitWebhook(context, params.name),
    );
    return reply(webhookAcceptedResponse, result.body, result.status);
  } catch (error) {
    if (isUnauthenticated(error)) await limitFailedWebhook(context, request);
    throw error;
  }
});
