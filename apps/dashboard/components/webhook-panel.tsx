'use client';

import { getWebhookResponse } from '@cove/shared/contracts/api';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { ConfirmButton } from './confirm-button';
import { CopyField } from './copy-field';

/**
 * The push webhook's address and secret, fetched only when the user asks to see them, each with a
 * Copy button; the secret can be replaced (after a leak), which ends the old one at once.
 */
export function WebhookPanel({ appName }: { appName: string }) {
  const [webhook, setWebhook] = useState<{ url: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function toggle() {
    setNotice(null);
    if (webhook) {
      setWebhook(null);
      return;
    }
    const result = await apiRequest(`/apps/${appName}/webhook`, getWebhookResponse);
    if (result.ok) setWebhook(result.data);
    else setError(result.message);
  }

  async function rotate(): Promise<string | null> {
    const result = await apiRequest(`/apps/${appName}/webhook/rotate`, getWebhookResponse, {
      method: 'POST',
    });
    if (!result.ok) return result.message;
    setWebhook(result.data);
    setNotice(
      "A new secret is in place and the old one no longer works: paste this one in your repository's webhook settings.",
    );
    return null;
  }

  return (
    <section className="card">
      <div className="section-header">
        <h2>Webhook</h2>
        <button type="button" onClick={toggle} aria-expanded={webhook !== null}>
          {webhook ? 'Hide webhook' : 'Show webhook'}
        </button>
      </div>
      <p className="muted">
        Add it to your repository as a push webhook with content type application/json (GitHub or Gitea: the
        secret under Secret; GitLab: under Secret token) and every push to the branch redeploys the app.
      </p>
      {error ? <p className="form-error">{error}</p> : null}
      {webhook ? (
        <>
          <CopyField id="webhook-url" label="Payload URL" value={webhook.url} testId="webhook-url" />
          <CopyField id="webhook-secret" label="Secret" value={webhook.secret} testId="webhook-secret" />
          <ConfirmButton
            label="Replace secret"
            title="Replace the webhook secret?"
            text="Pushes signed with the old secret are refused from now on, until you paste the new one in your repository's webhook settings."
            confirmLabel="Replace secret"
            onConfirm={rotate}
          />
        </>
      ) : null}
      {notice ? (
        <p className="notice" role="status" data-testid="webhook-notice">
          {notice}
        </p>
      ) : null}
    </section>
  );
}
