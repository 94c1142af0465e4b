'use client';

import { type AppView, appView, deploymentResponse, messageResponse } from '@cove/shared/contracts/api';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { AccessPanel } from './access-panel';
import { AppHistory } from './app-history';
import { DeleteAppDialog } from './delete-app-dialog';
import { DeploymentHistory } from './deployment-history';
import { LogView } from './log-view';
import { SecretsPanel } from './secrets-panel';
import { SettingsPanel } from './settings-panel';
import { SleepButtons } from './sleep-buttons';
import { StatusBadge } from './status-badge';
import { WebhookPanel } from './webhook-panel';

const pollIntervalMs = 2000;

function shortSha(sha: string | null): string {
  return sha ? sha.slice(0, 7) : 'not yet resolved';
}

export function AppDetail({ initialApp }: { initialApp: AppView }) {
  const router = useRouter();
  const [app, setApp] = useState(initialApp);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  const [isBusy, setBusy] = useState(false);
  const name = initialApp.name;

  useEffect(() => {
    let isActive = true;
    const refresh = async () => {
      const result = await apiRequest(`/apps/${name}`, appView);
      if (isActive && result.ok) setApp(result.data);
    };
    const timer = setInterval(refresh, pollIntervalMs);
    return () => {
      isActive = false;
      clearInterval(timer);
    };
  }, [name]);

  async function act(action: 'reboot' | 'redeploy') {
    setBusy(true);
    const result =
      action === 'reboot'
        ? await apiRequest(`/apps/${name}/reboot`, messageResponse, { method: 'POST' })
        : await apiRequest(`/apps/${name}/deployments`, deploymentResponse, { method: 'POST' });
    setBusy(false);
    if (!result.ok) {
      setNotice({ text: result.message, isError: true });
      return;
    }
    setNotice({ text: action === 'reboot' ? 'Rebooting…' : 'Redeploy queued.', isError: false });
    const refreshed = await apiRequest(`/apps/${name}`, appView);
    if (refreshed.ok) setApp(refreshed.data);
  }

  const current = app.currentDeployment;
  const latest = app.latestDeployment;
  return (
    <>
      <div className="page-header">
        <h1>
          {app.name} <StatusBadge status={app.status} testId="app-status" />
        </h1>
        <div className="actions">
          <button type="button" onClick={() => act('reboot')} disabled={isBusy || !current}>
            Reboot
          </button>
          <SleepButtons
            appName={name}
            status={app.status}
            hasLiveVersion={current !== null}
            onNotice={setNotice}
          />
          <button type="button" onClick={() => act('redeploy')} disabled={isBusy}>
            Redeploy
          </button>
          <DeleteAppDialog appName={name} isDisabled={isBusy} />
        </div>
      </div>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status">
          {notice.text}
        </p>
      ) : null}
      {app.statusMessage ? <p className="status-message">{app.statusMessage}</p> : null}

      <section className="card">
        <dl className="facts">
          <dt>Address</dt>
          <dd>
            <a href={app.url} target="_blank" rel="noreferrer" data-testid="app-url">
              {app.url}
            </a>
          </dd>
          <dt>Repository</dt>
          <dd className="mono">
            {app.githubRepository ? `GitHub ${app.githubRepository}` : app.repoUrl} · {app.branch} ·{' '}
            {app.mainFile}
          </dd>
          <dt>Current commit</dt>
          <dd>
            {current ? (
              <>
                <span className="mono" title={current.commit ?? undefined}>
                  {shortSha(current.commit)}
                </span>{' '}
                {current.commitMessage?.split('\n')[0] ?? ''}
              </>
            ) : (
              <span className="muted">Nothing is serving yet.</span>
            )}
          </dd>
          <dt>Latest deployment</dt>
          <dd>
            {latest ? (
              <>
                <StatusBadge status={latest.status} /> <span className="mono">{shortSha(latest.commit)}</span>{' '}
                <span className="muted">
                  {latest.trigger} · {new Date(latest.createdAt).toLocaleString()}
                </span>
                {latest.errorMessage ? <p className="deployment-error">{latest.errorMessage}</p> : null}
              </>
            ) : (
              <span className="muted">None.</span>
            )}
          </dd>
          <dt>Last visit</dt>
          <dd data-testid="app-last-visit">
            {app.lastVisitAt ? (
              new Date(app.lastVisitAt).toLocaleString()
            ) : (
              <span className="muted">No visitor yet.</span>
            )}
          </dd>
        </dl>
      </section>

      <section className="card">
        <h2>Build log</h2>
        <LogView
          appName={name}
          deploymentId={latest?.id ?? null}
          stream="build"
          testId="build-log"
          emptyText="Waiting for the build to start…"
        />
      </section>
      <DeploymentHistory appName={name} liveDeploymentId={current?.id ?? null} />
      <AppHistory appName={name} />
      <section className="card">
        <h2>Runtime log</h2>
        <LogView
          appName={name}
          deploymentId={current?.id ?? null}
          stream="runtime"
          testId="runtime-log"
          emptyText="The app's output appears here once it runs."
        />
      </section>
      <SettingsPanel
        app={app}
        onSaved={(saved) => {
          // A new name is a new page: the old one's address no longer names the app.
          if (saved.name !== name) router.replace(`/apps/${saved.name}`);
          else setApp(saved);
        }}
      />
      <AccessPanel app={app} onSaved={setApp} />
      <SecretsPanel appName={name} />
      {/* An app deployed through the GitHub App redeploys from the App's webhook: no webhook to add. */}
      {app.githubRepository ? null : <WebhookPanel appName={name} />}
    </>
  );
}
