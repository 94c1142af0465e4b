'use client';

import { createAppResponse } from '@cove/shared/contracts/api';
import { type GitHubInstallationsResponse, gitHubInstallationsResponse } from '@cove/shared/contracts/github';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { apiRequest, messageBesideFields } from '../lib/client/api';
import { Field } from './field';
import { GitHubPickers } from './github-pickers';

/** What GitHub's setup redirect said, passed on by the page. */
export interface GitHubNotice {
  error: string | null;
  connectedAccount: string | null;
}

export function NewAppForm({ gitHubNotice }: { gitHubNotice?: GitHubNotice }) {
  const router = useRouter();
  const [isBusy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(gitHubNotice?.error ?? null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [gitHub, setGitHub] = useState<GitHubInstallationsResponse | null>(null);
  const [source, setSource] = useState<'github' | 'url'>('url');

  useEffect(() => {
    void apiRequest('/github/installations', gitHubInstallationsResponse).then((result) => {
      if (!result.ok) return;
      setGitHub(result.data);
      if (result.data.isConfigured) setSource('github');
    });
  }, []);
  const isGitHubConnected = (gitHub?.installations.length ?? 0) > 0;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (key: string) => String(form.get(key) ?? '').trim();
    setBusy(true);
    setMessage(null);
    const result = await apiRequest('/apps', createAppResponse, {
      method: 'POST',
      body: {
        ...(source === 'github'
          ? { githubRepository: value('githubRepository') }
          : { repoUrl: value('repoUrl') }),
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
    setMessage(messageBesideFields(result, ['repoUrl', 'githubRepository', 'branch', 'mainFile', 'name']));
    setFields(result.fields);
  }

  return (
    <form onSubmit={submit} className="card form" noValidate>
      {message ? (
        <p className="form-error" role="alert">
          {message}
        </p>
      ) : null}
      {gitHub?.isConfigured ? (
        <div
          className="source-choice"
          role="radiogroup"
          aria-label="Where the code comes from"
          style={{ display: 'flex', gap: '1.5rem' }}
        >
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'github'}
              onChange={() => setSource('github')}
            />{' '}
            From GitHub
          </label>
          <label>
            <input type="radio" name="source" checked={source === 'url'} onChange={() => setSource('url')} />{' '}
            Git URL
          </label>
        </div>
      ) : null}
      {gitHubNotice?.connectedAccount ? (
        <p className="hint" role="status">
          GitHub is connected for {gitHubNotice.connectedAccount}.
        </p>
      ) : null}
      {source === 'github' && gitHub?.connectUrl ? (
        isGitHubConnected ? (
          <>
            <GitHubPickers fields={fields} />
            <p className="hint">
              Repository missing? <a href={gitHub.connectUrl}>Connect another GitHub account</a> or give the
              App access to it.
            </p>
          </>
        ) : (
          <p>
            <a className="button" href={gitHub.connectUrl}>
              Connect GitHub
            </a>{' '}
            to pick a repository, branch and main file; pushes then redeploy the app.
          </p>
        )
      ) : (
        <>
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
        </>
      )}
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
