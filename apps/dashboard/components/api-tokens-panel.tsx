'use client';

// A person's API tokens: the list (never the secrets), a form that creates one and shows its secret
// this once, and revoking one after a confirmation. Speaks to /api/v1/tokens like any client.
import {
  type ApiTokenView,
  createTokenResponse,
  listTokensResponse,
  messageResponse,
} from '@cove/shared/contracts/api';
import { type FormEvent, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { ConfirmButton } from './confirm-button';
import { CopyField } from './copy-field';
import { Field } from './field';

const expiryChoices = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
] as const;

function formatDate(iso: string | null, none: string): string {
  return iso ? new Date(iso).toLocaleString() : none;
}

function scopeLabel(scope: ApiTokenView['scope']): string {
  return scope === 'read' ? 'read-only' : 'full';
}

export function ApiTokensPanel({
  initialTokens,
  canCreate,
}: {
  initialTokens: ApiTokenView[];
  canCreate: boolean;
}) {
  const [tokens, setTokens] = useState(initialTokens);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function reload() {
    const result = await apiRequest('/tokens', listTokensResponse);
    if (result.ok) setTokens(result.data.tokens);
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const expiry = String(data.get('token-expiry') ?? '');
    setBusy(true);
    const result = await apiRequest('/tokens', createTokenResponse, {
      method: 'POST',
      body: {
        name: String(data.get('token-name') ?? ''),
        scope: String(data.get('token-scope') ?? 'read'),
        expiresInDays: expiry === 'never' ? null : Number(expiry),
      },
    });
    setBusy(false);
    if (!result.ok) {
      setFields({ 'token-name': result.fields.name ?? '' });
      setNotice(Object.keys(result.fields).length > 0 ? null : { text: result.message, isError: true });
      return;
    }
    form.reset();
    setFields({});
    setNotice(null);
    setCreated({ name: result.data.name, secret: result.data.token });
    await reload();
  }

  async function revoked(token: ApiTokenView, message: string) {
    setNotice({ text: `${token.name}: ${message}`, isError: false });
    await reload();
  }

  return (
    <>
      <section className="card" aria-labelledby="new-token-title">
        <h2 id="new-token-title">New token</h2>
        {canCreate ? (
          <form className="form" onSubmit={create} noValidate>
            <Field
              id="token-name"
              label="Name"
              required
              maxLength={100}
              hint="What uses it, e.g. ci or a deploy script."
              error={fields['token-name'] || undefined}
            />
            <div className="field">
              <label htmlFor="token-scope">Scope</label>
              <select id="token-scope" name="token-scope" defaultValue="read">
                <option value="read">read-only (GET requests only)</option>
                <option value="full">full (everything your role allows)</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="token-expiry">Expires after</label>
              <select id="token-expiry" name="token-expiry" defaultValue="30">
                {expiryChoices.map((choice) => (
                  <option key={choice.label} value={choice.days ?? 'never'}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="primary" disabled={isBusy}>
              Create token
            </button>
          </form>
        ) : (
          <p className="hint">Viewers cannot create tokens; an owner can make you a developer.</p>
        )}
        {created ? (
          <div className="token-secret" role="status">
            <p>
              <strong>{created.name}</strong> is ready. Copy it now: you will not see it again.
            </p>
            <CopyField id="token-secret-value" label="The new token" value={created.secret} isLabelHidden />
          </div>
        ) : null}
        {notice ? (
          <p className={notice.isError ? 'form-error' : 'notice'} role={notice.isError ? 'alert' : 'status'}>
            {notice.text}
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table className="members tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>{scopeLabel(token.scope)}</td>
                  <td>{formatDate(token.createdAt, '')}</td>
                  <td>{formatDate(token.lastUsedAt, 'never')}</td>
                  <td>{formatDate(token.expiresAt, 'never')}</td>
                  <td>
                    <ConfirmButton
                      label="Revoke"
                      accessibleName={`Revoke ${token.name}`}
                      title={`Revoke ${token.name}?`}
                      text="Every script or program that sends this token is refused from now on. This cannot be undone."
                      confirmLabel="Revoke token"
                      onConfirm={async () => {
                        const result = await apiRequest(`/tokens/${token.id}`, messageResponse, {
                          method: 'DELETE',
                        });
                        if (!result.ok) return result.message;
                        await revoked(token, result.data.message);
                        return null;
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
