'use client';

import {
  type AppAccessView,
  type AppView,
  appAccessView,
  replaceAppAccessResponse,
  updateAppResponse,
} from '@cove/shared/contracts/api';
import { useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';

function emailsFrom(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((email) => email.trim())
    .filter((email) => email.length > 0);
}

/**
 * The API names a bad entry by its place ("emails.2"); the person wants to see which one they typed.
 */
function accessListError(emails: string[], fields: Record<string, string>): string | null {
  const entries = Object.entries(fields);
  if (entries.length === 0) return null;
  const bad = entries.flatMap(([field]) => {
    const index = /^emails\.(\d+)$/.exec(field)?.[1];
    const email = index === undefined ? undefined : emails[Number(index)];
    return email === undefined ? [] : [email];
  });
  if (bad.length === 0) return entries.map(([, message]) => message).join(' ');
  const listed = bad.map((email) => `"${email}"`).join(', ');
  return `${bad.length === 1 ? `${listed} is not an email address` : `These are not email addresses: ${listed}`}. Enter one email address per line; nothing was saved.`;
}

/**
 * Who can open the app: anyone (public), or only signed-in members of the workspace and the
 * emails on its access list (private). A change of visibility applies at once, with no rebuild.
 */
export function AccessPanel({
  app,
  canChange,
  onSaved,
}: {
  app: AppView;
  /** A viewer sees who may open the app, and changes nothing. */
  canChange: boolean;
  onSaved: (app: AppView) => void;
}) {
  const [emailsText, setEmailsText] = useState('');
  const [access, setAccess] = useState<Pick<AppAccessView, 'emails' | 'verificationNote'> | null>(null);
  const [isBusy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const name = app.name;

  useEffect(() => {
    let isActive = true;
    void apiRequest(`/apps/${name}/access`, appAccessView).then((result) => {
      if (!isActive) return;
      if (result.ok) {
        setEmailsText(result.data.emails.map((entry) => entry.email).join('\n'));
        setAccess(result.data);
      } else setNotice({ text: result.message, isError: true });
    });
    return () => {
      isActive = false;
    };
  }, [name]);

  async function setVisibility(visibility: AppView['visibility']) {
    setBusy(true);
    const result = await apiRequest(`/apps/${name}`, updateAppResponse, {
      method: 'PATCH',
      body: { visibility },
    });
    setBusy(false);
    if (!result.ok) {
      setNotice({ text: result.message, isError: true });
      return;
    }
    onSaved(result.data.app);
    setNotice({ text: result.data.message, isError: false });
  }

  async function saveEmails() {
    setBusy(true);
    const emails = emailsFrom(emailsText);
    const result = await apiRequest(`/apps/${name}/access`, replaceAppAccessResponse, {
      method: 'PUT',
      body: { emails },
    });
    setBusy(false);
    if (!result.ok) {
      setNotice({ text: accessListError(emails, result.fields) ?? result.message, isError: true });
      return;
    }
    setEmailsText(result.data.emails.map((entry) => entry.email).join('\n'));
    setAccess(result.data);
    setNotice({ text: result.data.message, isError: false });
  }

  const isPrivate = app.visibility === 'private';
  const unverified = (access?.emails ?? []).filter((entry) => !entry.isVerified).map((entry) => entry.email);
  return (
    <section className="card" data-testid="access">
      <div className="section-header">
        <h2>Access</h2>
        <span className="muted" data-testid="app-visibility">
          {isPrivate ? 'Private' : 'Public'}
        </span>
      </div>
      <fieldset className="form" disabled={isBusy || !canChange}>
        <legend className="muted">Who can open {name}</legend>
        <label>
          <input
            type="radio"
            name="visibility"
            value="public"
            checked={!isPrivate}
            onChange={() => setVisibility('public')}
          />{' '}
          Public: anyone with the address
        </label>
        <label>
          <input
            type="radio"
            name="visibility"
            value="private"
            checked={isPrivate}
            onChange={() => setVisibility('private')}
          />{' '}
          Private: signed-in members of this workspace and the people below
        </label>
      </fieldset>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status" data-testid="access-notice">
          {notice.text}
        </p>
      ) : null}
      <div className="form">
        <div className="field">
          <label htmlFor="access-emails">Access list (emails, one per line)</label>
          <textarea
            id="access-emails"
            className="mono"
            rows={4}
            spellCheck={false}
            autoComplete="off"
            placeholder="ada@example.com"
            value={emailsText}
            // Until the list has loaded, nothing typed would survive its arrival.
            readOnly={!canChange || access === null}
            onChange={(event) => setEmailsText(event.target.value)}
          />
          <p className="hint">
            People outside the workspace who may open the app while it is private, once signed in to Cove with
            that email. Members of the workspace never need to be listed.
          </p>
          {access ? (
            <p className="hint" data-testid="access-verification-note">
              {access.verificationNote}
            </p>
          ) : null}
          {unverified.length > 0 ? (
            <p className="hint" data-testid="access-unverified">
              Not verified yet (opens nothing): {unverified.join(', ')}
            </p>
          ) : null}
        </div>
        {canChange ? (
          <div className="actions">
            <button type="button" onClick={saveEmails} disabled={isBusy || access === null}>
              Save access list
            </button>
          </div>
        ) : null}
      </div>
    </section>
  );
}
