'use client';

import {
  replaceSecretsResponse,
  revealedSecrets,
  type SecretsView,
  secretsView,
} from '@cove/shared/contracts/api';
import { useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { ConfirmButton } from './confirm-button';

/**
 * The app's secrets: the keys (values reach the browser only when someone clicks Reveal, which is
 * audited) and a TOML editor that replaces them all, starting from the revealed document if any.
 * An invalid document is refused with its line and reason, and nothing is saved.
 */
export function SecretsPanel({ appName, canChange }: { appName: string; canChange: boolean }) {
  const [secrets, setSecrets] = useState<SecretsView | null>(null);
  const [toml, setToml] = useState('');
  /** The saved TOML, once revealed; null while the values stay hidden. */
  const [revealed, setRevealed] = useState<string | null>(null);
  const [isEditing, setEditing] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);

  useEffect(() => {
    let isActive = true;
    void apiRequest(`/apps/${appName}/secrets`, secretsView).then((result) => {
      if (!isActive) return;
      if (result.ok) setSecrets(result.data);
      else setNotice({ text: result.message, isError: true });
    });
    return () => {
      isActive = false;
    };
  }, [appName]);

  async function reveal(): Promise<string | null> {
    setBusy(true);
    const result = await apiRequest(`/apps/${appName}/secrets/reveal`, revealedSecrets, { method: 'POST' });
    setBusy(false);
    if (!result.ok) {
      setNotice({ text: result.message, isError: true });
      return null;
    }
    setRevealed(result.data.toml);
    setSecrets(result.data);
    setNotice(null);
    return result.data.toml;
  }

  function toggleEditor() {
    // Editing starts from the current document when it has been revealed.
    if (!isEditing) setToml(revealed ?? '');
    setEditing(!isEditing);
  }

  async function editFromCurrent() {
    const current = revealed ?? (await reveal());
    if (current !== null) setToml(current);
  }

  async function save() {
    setBusy(true);
    const result = await apiRequest(`/apps/${appName}/secrets`, replaceSecretsResponse, {
      method: 'PUT',
      text: toml,
    });
    setBusy(false);
    if (!result.ok) {
      setNotice({ text: result.message, isError: true });
      return;
    }
    setSecrets(result.data);
    setToml('');
    setRevealed(null);
    setEditing(false);
    setNotice({ text: result.data.message, isError: false });
  }

  /** Once confirmed in its dialog, which shows a refusal. */
  async function remove(): Promise<string | null> {
    setBusy(true);
    const result = await apiRequest(`/apps/${appName}/secrets`, replaceSecretsResponse, {
      method: 'DELETE',
    });
    setBusy(false);
    if (!result.ok) return result.message;
    setSecrets(result.data);
    setRevealed(null);
    setNotice({ text: result.data.message, isError: false });
    return null;
  }

  const keys = secrets?.keys ?? [];
  return (
    <section className="card" data-testid="secrets">
      <div className="section-header">
        <h2>Secrets</h2>
        {/* Revealing, editing and removing need the developer role: a viewer sees the keys only. */}
        {canChange ? (
          <div className="actions">
            {keys.length > 0 ? (
              <button
                type="button"
                onClick={() => (revealed === null ? void reveal() : setRevealed(null))}
                disabled={isBusy}
                aria-pressed={revealed !== null}
              >
                {revealed === null ? 'Reveal' : 'Hide values'}
              </button>
            ) : null}
            <button type="button" onClick={toggleEditor} disabled={isBusy} aria-expanded={isEditing}>
              {isEditing ? 'Cancel' : keys.length > 0 ? 'Edit secrets' : 'Add secrets'}
            </button>
            {keys.length > 0 ? (
              <ConfirmButton
                label="Remove"
                title={`Remove every secret of ${appName}?`}
                text="A running app restarts without them. This cannot be undone."
                confirmLabel="Remove secrets"
                isDisabled={isBusy}
                onConfirm={remove}
              />
            ) : null}
          </div>
        ) : null}
      </div>
      <p className="muted">
        Your app reads them with <span className="mono">st.secrets</span>; top-level text values are also
        environment variables. They are stored encrypted; values stay hidden until you reveal them (each
        reveal is recorded). Saving restarts the running app with the new secrets (health-checked: the current
        version serves until the new one answers).
      </p>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status" data-testid="secrets-notice">
          {notice.text}
        </p>
      ) : null}
      {revealed !== null ? (
        <pre className="mono revealed-secrets" data-testid="revealed-secrets">
          {revealed}
        </pre>
      ) : keys.length > 0 ? (
        <ul className="mono secret-keys" data-testid="secret-keys">
          {keys.map((key) => (
            <li key={key}>
              {key} = <span className="muted">••••••••</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No secrets yet.</p>
      )}
      {isEditing ? (
        <div className="form">
          <div className="field">
            <label htmlFor="secrets-toml">Secrets (TOML)</label>
            <textarea
              id="secrets-toml"
              className="mono"
              rows={10}
              spellCheck={false}
              autoComplete="off"
              placeholder={'API_KEY = "…"\n\n[database]\npassword = "…"'}
              value={toml}
              onChange={(event) => setToml(event.target.value)}
            />
            <p className="hint">This replaces all of the app's secrets; keys left out are removed.</p>
          </div>
          <div className="actions">
            {keys.length > 0 && toml === '' ? (
              <button type="button" onClick={() => void editFromCurrent()} disabled={isBusy}>
                Start from the current secrets
              </button>
            ) : null}
            <button type="button" onClick={save} disabled={isBusy}>
              {isBusy ? 'Saving…' : 'Save secrets'}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
