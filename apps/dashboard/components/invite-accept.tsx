'use client';

// The invite page: a signed-in person with the invited email joins with one click; someone signed
// in as another account is told so; a visitor signs up (or in) with the invited email, then joins.
import {
  acceptInvitationResponse,
  type InvitationPreview,
  messageResponse,
  sessionResponse,
} from '@cove/shared/contracts/api';
import { type FormEvent, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { Field } from './field';

export function InviteAccept({
  token,
  invitation,
  signedInEmail,
}: {
  token: string;
  invitation: InvitationPreview;
  signedInEmail: string | null;
}) {
  const [mode, setMode] = useState<'signup' | 'login'>('signup');
  const [message, setMessage] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [isBusy, setBusy] = useState(false);
  const what = `${invitation.workspaceName} as ${invitation.role}`;

  async function accept() {
    const result = await apiRequest(`/invitations/${token}/accept`, acceptInvitationResponse, {
      method: 'POST',
    });
    if (result.ok) {
      window.location.assign('/apps');
      return;
    }
    setBusy(false);
    setMessage(result.message);
  }

  async function signUpOrIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    setBusy(true);
    const result = await apiRequest(mode === 'signup' ? '/auth/signup' : '/auth/login', sessionResponse, {
      method: 'POST',
      body: { email: invitation.email, password },
    });
    if (!result.ok) {
      setBusy(false);
      setFields(result.fields);
      setMessage(Object.keys(result.fields).length > 0 ? null : result.message);
      return;
    }
    await accept();
  }

  async function signOut() {
    await apiRequest('/auth/logout', messageResponse, { method: 'POST' });
    window.location.reload();
  }

  const error = message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;

  if (signedInEmail !== null) {
    const isInvited = signedInEmail === invitation.email;
    return (
      <main className="auth">
        <h1>Join {invitation.workspaceName}</h1>
        <div className="card form">
          {error}
          {isInvited ? (
            <>
              <p>You are invited to {what}.</p>
              <button
                type="button"
                className="primary"
                disabled={isBusy}
                onClick={() => {
                  setBusy(true);
                  void accept();
                }}
              >
                Join {invitation.workspaceName}
              </button>
            </>
          ) : (
            <>
              <p role="alert">
                This invitation is for {invitation.email}, and you are signed in as {signedInEmail}. Sign out,
                then sign in or sign up as {invitation.email}.
              </p>
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          )}
        </div>
      </main>
    );
  }

  return (
    <main className="auth">
      <h1>Join {invitation.workspaceName}</h1>
      <form className="card form" onSubmit={signUpOrIn} noValidate>
        <p>
          You are invited to {what}.{' '}
          {mode === 'signup' ? 'Create your account to accept.' : 'Sign in to accept.'}
        </p>
        {error}
        <Field id="email" label="Email" type="email" value={invitation.email} readOnly error={fields.email} />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
          required
          hint={mode === 'signup' ? 'At least 10 characters.' : undefined}
          error={fields.password}
        />
        <button type="submit" className="primary" disabled={isBusy}>
          {mode === 'signup' ? 'Create account and join' : 'Sign in and join'}
        </button>
      </form>
      <p className="switch">
        {mode === 'signup' ? 'Already have an account with this email? ' : 'New to Cove? '}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setMode(mode === 'signup' ? 'login' : 'signup');
            setMessage(null);
            setFields({});
          }}
        >
          {mode === 'signup' ? 'Sign in instead' : 'Create an account'}
        </button>
      </p>
    </main>
  );
}
