'use client';

import { sessionResponse } from '@cove/shared/contracts/api';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { Field } from './field';

/**
 * `next`: a same-site path to go to once signed in (checked by the page with safeReturnPath);
 * `appName`: the private app that path opens, named in the heading.
 */
export function AuthForm({
  mode,
  next,
  appName,
}: {
  mode: 'signup' | 'login';
  next?: string | undefined;
  appName?: string | undefined;
}) {
  const router = useRouter();
  const [isBusy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const isSignUp = mode === 'signup';
  const nextQuery = next ? `?${new URLSearchParams({ next })}` : '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await apiRequest(isSignUp ? '/auth/signup' : '/auth/login', sessionResponse, {
      method: 'POST',
      body: { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
    });
    setBusy(false);
    if (result.ok && next) {
      // A full load: `next` may be a route handler (the access page) that leaves the dashboard.
      window.location.assign(next);
      return;
    }
    if (result.ok) {
      router.replace('/apps');
      router.refresh();
      return;
    }
    // Field messages show beside their inputs; the summary is for everything else.
    setMessage(Object.keys(result.fields).length > 0 ? null : result.message);
    setFields(result.fields);
  }

  return (
    <main className="auth">
      {appName ? (
        <>
          <h1>{isSignUp ? `Create an account to open ${appName}` : `Sign in to open ${appName}`}</h1>
          <p className="hint">
            {appName} is a private app on Cove: only people its team has let in may open it. Use the email
            address they invited.
          </p>
        </>
      ) : (
        <h1>{isSignUp ? 'Create your Cove account' : 'Sign in to Cove'}</h1>
      )}
      <form onSubmit={submit} className="card form" noValidate>
        {message ? (
          <p className="form-error" role="alert">
            {message}
          </p>
        ) : null}
        <Field id="email" label="Email" type="email" autoComplete="email" required error={fields.email} />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete={isSignUp ? 'new-password' : 'current-password'}
          required
          hint={isSignUp ? 'At least 10 characters.' : undefined}
          error={fields.password}
        />
        <button type="submit" className="primary" disabled={isBusy}>
          {isSignUp ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p className="switch">
        {isSignUp ? (
          <>
            Already have an account? <Link href={`/login${nextQuery}`}>Sign in</Link>
          </>
        ) : (
          <>
            New to Cove? <Link href={`/signup${nextQuery}`}>Create an account</Link>
          </>
        )}
      </p>
    </main>
  );
}
