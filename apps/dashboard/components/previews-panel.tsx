'use client';
// Pull request previews of the app: on or off, whether they get the app's secrets, and the open
// ones (each an app of its own, <app>--pr-<number>). On a preview: which app and request it shows.
import { type AppView, updateAppResponse } from '@cove/shared/contracts/api';
import Link from 'next/link';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { StatusBadge } from './status-badge';

export function PreviewsPanel({
  app,
  canChange,
  onSaved,
}: {
  app: AppView;
  canChange: boolean;
  onSaved: (app: AppView) => void;
}) {
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  if (app.previewOf) {
    return (
      <section className="card">
        <h2>Preview</h2>
        <p>
          The preview of pull request #{app.previewOf.number} of{' '}
          <Link href={`/apps/${app.previewOf.app}`}>{app.previewOf.app}</Link>. It goes when the request is
          closed or merged.
        </p>
      </section>
    );
  }
  if (app.source === 'upload' || app.githubRepository) return null;

  async function save(change: { previewsEnabled?: boolean; previewSecrets?: boolean }) {
    setIsSaving(true);
    const result = await apiRequest(`/apps/${app.name}`, updateAppResponse, {
      method: 'PATCH',
      body: change,
    });
    setIsSaving(false);
    if (result.ok) {
      onSaved(result.data.app);
      setNotice({ text: result.data.message, isError: false });
    } else setNotice({ text: result.message, isError: true });
  }

  return (
    <section className="card" aria-labelledby="previews-title">
      <h2 id="previews-title">Pull request previews</h2>
      <p className="muted">
        Each pull request to {app.branch} is deployed as {app.name}--pr-&lt;number&gt; from its head, and
        removed when it is closed or merged (at most {app.previews.limit} at once: a new one removes the
        oldest). Send pull request events to the webhook too.
      </p>
      <fieldset className="plain" disabled={!canChange || isSaving}>
        <label>
          <input
            type="checkbox"
            checked={app.previews.isEnabled}
            onChange={(event) => void save({ previewsEnabled: event.target.checked })}
          />{' '}
          Deploy previews of pull requests
        </label>
        <label>
          <input
            type="checkbox"
            checked={app.previews.hasSecrets}
            onChange={(event) => void save({ previewSecrets: event.target.checked })}
          />{' '}
          Give previews the app's secrets (a pull request's code can read them)
        </label>
      </fieldset>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status">
          {notice.text}
        </p>
      ) : null}
      {app.previews.open.length === 0 ? (
        <p className="muted">No previews now.</p>
      ) : (
        <ul className="deployments">
          {app.previews.open.map((preview) => (
            <li key={preview.name}>
              <StatusBadge status={preview.status} /> #{preview.number}{' '}
              <Link href={`/apps/${preview.name}`}>{preview.name}</Link>{' '}
              <a href={preview.url} target="_blank" rel="noreferrer">
                {preview.url}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
