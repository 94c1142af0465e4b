'use client';

import { createAppResponse } from '@cove/shared/contracts/api';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { Field } from './field';

export function NewAppForm() {
  const router = useRouter();
  const [isBusy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (key: string) => String(form.get(key) ?? '').trim();
    setBusy(true);
    setMessage(null);
    const result = await apiRequest('/apps', createAppResponse, {
      method: 'POST',
      body: {
        repoUrl: value('repoUrl'),
        branch: value('branch'),
        mainFile: value('mainFile'),
        name: value('name'),
      },
    });
    if (result.ok) {
      router.push(`/apps/${result.data.name}`);
      return;
    }
    setBusy(false);
    // Field messages show beside their inputs; the summary is for everything else.
    setMessage(Object.keys(result.fields).length > 0 ? null : result.message);
    setFields(result.fields);
  }

  return (
    <form onSubmit={submit} className="card form" noValidate>
      {message ? (
        <p className="form-error" role="alert">
          {message}
        </p>
      ) : null}
      <Field
        id="repoUrl"
        label="Repository URL"
        placeholder="https://github.com/you/your-app.git"
        hint="The address you would give to git clone."
        required
        error={fields.repoUrl}
      />
      <Field id="branch" label="Branch" defaultValue="main" required error={fields.branch} />
      <Field
        id="mainFile"
        label="Main file path"
        defaultValue="streamlit_app.py"
        hint="The Streamlit script, relative to the repository root."
        required
        error={fields.mainFile}
      />
      <Field
        id="name"
        label="App name"
        hint="Lower-case letters, digits and dashes; it becomes the app's subdomain."
        required
        error={fields.name}
      />
      <button type="submit" className="primary" disabled={isBusy}>
        {isBusy ? 'Deploying…' : 'Deploy'}
      </button>
    </form>
  );
}
