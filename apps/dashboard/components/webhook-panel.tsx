'use client';

import { getWebhookResponse } from '@cove/shared/contracts/api';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';

/** The push webhook's address and secret, fetched only when the user asks to see them. */
export function WebhookPanel({ appName }: { appName: string }) {
  const [webhook, setWebhook] = useState<{ url: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function toggle() {
    if (webhook) {
      setWebhook(null);
      return;
    }
    const result = await apiRequest(`/apps/${appName}/webhook`, getWebhookResponse);
    if (result.ok) setWebhook(result.data);
    else setError(result.message);
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
        <dl className="facts">
          <dt>Payload URL</dt>
          <dd className="mono" data-testid="webhook-url">
            {webhook.url}
          </dd>
          <dt>Secret</dt>
          <dd className="mono" data-testid="webhook-secret">
            {webhook.secret}
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
