'use client';

import { hasRole } from '@cove/shared/auth/roles';
import {
  type AppView,
  appView,
  type DeploymentView,
  deploymentResponse,
  messageResponse,
} from '@cove/shared/contracts/api';
import type { MemberRole } from '@cove/shared/db/schema/identity';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { type AppTabId, appTabs } from '../lib/app-tabs';
import { type AppAction, actionNotice } from '../lib/client/action-notice';
import { apiRequest } from '../lib/client/api';
import { versionLabel, versionTitle } from '../lib/client/version-label';
import { AccessPanel } from './access-panel';
import { AppHistory } from './app-history';
import { DeleteAppDialog } from './delete-app-dialog';
import { DeploymentHistory } from './deployment-history';
import { InsightsPanel } from './insights-panel';
import { LogView } from './log-view';
import { PreviewsPanel } from './previews-panel';
import { SecretsPanel } from './secrets-panel';
import { SettingsPanel } from './settings-panel';
import { SleepButtons } from './sleep-buttons';
import { StatusBadge } from './status-badge';
import { TabPanel, Tabs } from './tabs';
import { WebhookPanel } from './webhook-panel';

const pollIntervalMs = 2000;

/** Statuses in which the app's address answers (a sleeping app wakes for its visitor). */
const openableStatuses: readonly AppView['status'][] = ['running', 'sleeping', 'waking'];

export function AppDetail({
  initialApp,
  role,
  initialTab,
}: {
  initialApp: AppView;
  role: MemberRole;
  initialTab: AppTabId;
}) {
  const router = useRouter();
  const [app, setApp] = useState(initialApp);
  const [tab, setTab] = useState(initialTab);
  /** The last action asked for here; its notice follows the app until the action is done. */
  const [action, setAction] = useState<AppAction | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const name = initialApp.name;
  // The API refuses a viewer's changes; the page does not offer them.
  const canChange = hasRole(role, 'developer');

  const refresh = useCallback(async () => {
    const result = await apiRequest(`/apps/${name}`, appView);
    if (result.ok) setApp(result.data);
  }, [name]);

  useEffect(() => {
    const timer = setInterval(refresh, pollIntervalMs);
    return () => clearInterval(timer);
  }, [refresh]);

  /** A reload, or a link someone shares, opens the same tab. */
  function selectTab(next: AppTabId) {
    setTab(next);
    const url = new URL(window.location.href);
    if (next === 'overview') url.searchParams.delete('tab');
    else url.searchParams.set('tab', next);
    window.history.replaceState(null, '', url);
  }

  function started(next: AppAction | null, error: string | null) {
    setAction(error === null ? next : null);
    setFailure(error);
  }

  async function act(kind: 'reboot' | 'redeploy') {
    setBusy(true);
    if (kind === 'reboot') {
      const result = await apiRequest(`/apps/${name}/reboot`, messageResponse, { method: 'POST' });
      started({ kind: 'reboot', instanceBefore: app.liveInstance }, result.ok ? null : result.message);
    } else {
      const result = await apiRequest(`/apps/${name}/deployments`, deploymentResponse, { method: 'POST' });
      started(
        result.ok ? { kind: 'redeploy', deploymentId: result.data.deployment.id } : null,
        result.ok ? null : result.message,
      );
    }
    setBusy(false);
    await refresh();
  }

  const current = app.currentDeployment;
  const latest = app.latestDeployment;
  const notice =
    failure !== null ? { text: failure, isError: true } : action ? actionNotice(action, app) : null;
  return (
    <>
      <div className="page-header">
        <div className="app-heading">
          <h1>
            {app.name} <StatusBadge status={app.status} testId="app-status" announce />
          </h1>
          <a href={app.url} target="_blank" rel="noreferrer" data-testid="app-url" className="app-address">
            {app.url}
          </a>
        </div>
        <div className="actions">
          {current && openableStatuses.includes(app.status) ? (
            <a href={app.url} target="_blank" rel="noreferrer" className="button primary">
              Open app
            </a>
          ) : null}
          {canChange ? (
            <>
              <button
                type="button"
                onClick={() => act('reboot')}
                // A sleeping app has nothing running to reboot: its next visit starts it afresh.
                disabled={isBusy || !current || app.status === 'sleeping' || app.status === 'waking'}
              >
                Reboot
              </button>
              <SleepButtons
                appName={name}
                status={app.status}
                hasLiveVersion={current !== null}
                onDone={(kind, error) => {
                  started({ kind }, error);
                  void refresh();
                }}
              />
              <button type="button" onClick={() => act('redeploy')} disabled={isBusy}>
                Redeploy
              </button>
              <DeleteAppDialog appName={name} isDisabled={isBusy} />
            </>
          ) : null}
        </div>
      </div>
      {canChange ? null : (
        <p className="muted" data-testid="viewer-note">
          You are a viewer in this workspace: you can open the app and follow its status and logs. To change
          it, ask an owner for the developer role.
        </p>
      )}
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status" data-testid="app-notice">
          {notice.text}
        </p>
      ) : null}
      {app.statusMessage ? <p className="status-message">{app.statusMessage}</p> : null}

      <Tabs
        label={`${app.name}: sections`}
        tabs={appTabs}
        selected={tab}
        onSelect={selectTab}
        idPrefix="app"
      />
      <TabPanel idPrefix="app" id={tab}>
        {tab === 'overview' ? (
          <>
            <section className="card">
              <dl className="facts">
                {app.source === 'upload' ? (
                  <>
                    <dt>Source</dt>
                    <dd>
                      Uploaded folders (<span className="mono">cove deploy ./folder --name {app.name}</span>)
                      · <span className="mono">{app.mainFile}</span>
                    </dd>
                  </>
                ) : (
                  <>
                    <dt>Repository</dt>
                    <dd className="mono">
                      {app.githubRepository ? `GitHub ${app.githubRepository}` : app.repoUrl} · {app.branch} ·{' '}
                      {app.mainFile}
                    </dd>
                  </>
                )}
                <dt>{app.source === 'upload' ? 'Current version' : 'Current commit'}</dt>
                <dd>
                  {current ? (
                    <>
                      <span className="mono" title={versionTitle(current)}>
                        {versionLabel(current, 'not yet resolved')}
                      </span>{' '}
                      {current.commitMessage?.split('\n')[0] ?? ''}
                    </>
                  ) : (
                    <span className="muted">Nothing is serving yet.</span>
                  )}
                </dd>
                <dt>Latest deployment</dt>
                <dd data-testid="latest-deployment">
                  {latest ? (
                    <>
                      {/* The live one is described by the app's own status (it may be asleep): its
                          deployment status "running" beside "sleeping" would contradict it. */}
                      {latest.id === current?.id ? (
                        <span>the live version</span>
                      ) : (
                        <StatusBadge status={latest.status} />
                      )}{' '}
                      <span className="mono" title={versionTitle(latest)}>
                        {versionLabel(latest, 'not yet resolved')}
                      </span>{' '}
                      <span className="muted">
                        {latest.trigger} · {new Date(latest.createdAt).toLocaleString()}
                      </span>
                      {/* A failed first deploy already says why under the title. */}
                      {latest.errorMessage && latest.errorMessage !== app.statusMessage ? (
                        <p className="deployment-error">{latest.errorMessage}</p>
                      ) : null}
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

            <BuildLogCard app={app} onEnd={refresh} />
          </>
        ) : null}
        {tab === 'logs' ? (
          <>
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

            <BuildLogCard app={app} onEnd={refresh} />
          </>
        ) : null}
        {tab === 'deployments' ? (
          <>
            <DeploymentHistory app={app} canChange={canChange} />
            <AppHistory appName={name} />
          </>
        ) : null}
        {tab === 'insights' ? <InsightsPanel app={app} /> : null}
        {tab === 'settings' ? (
          <>
            <SettingsPanel
              app={app}
              canChange={canChange}
              onSaved={(saved) => {
                // A new name is a new page: the old one's address no longer names the app.
                if (saved.name !== name) router.replace(`/apps/${saved.name}`);
                else setApp(saved);
              }}
            />
            {/* An app deployed through the GitHub App redeploys from the App's webhook: no webhook to add.
              Its secret lets anyone deploy, so only developers see the card. */}
            {app.githubRepository || app.source === 'upload' || !canChange ? null : (
              <WebhookPanel appName={name} />
            )}
          </>
        ) : null}
        {tab === 'sharing' ? (
          <>
            <AccessPanel app={app} canChange={canChange} onSaved={setApp} />
            <PreviewsPanel app={app} canChange={canChange} onSaved={setApp} />
          </>
        ) : null}
        {tab === 'secrets' ? <SecretsPanel appName={name} canChange={canChange} /> : null}
      </TabPanel>
    </>
  );
}

const finishedStatuses: readonly DeploymentView['status'][] = [
  'running',
  'failed',
  'superseded',
  'cancelled',
];

/**
 * The latest deployment's build log: open while it builds, folded away once it is done (its end
 * is in the summary line), open again for the next build.
 */
function BuildLogCard({ app, onEnd }: { app: AppView; onEnd: () => void }) {
  const latest = app.latestDeployment;
  const isFinished = latest !== null && finishedStatuses.includes(latest.status);
  const [isOpen, setOpen] = useState(!isFinished);
  useEffect(() => {
    setOpen(!isFinished);
  }, [isFinished]);
  return (
    <section className="card">
      <details
        open={isOpen}
        onToggle={(event) => setOpen(event.currentTarget.open)}
        data-testid="build-log-details"
        className="log-details"
      >
        <summary>
          <h2>Build log</h2>
          {latest ? (
            <span className="muted">
              {' '}
              <span className="mono">{versionLabel(latest, 'not yet resolved')}</span> ·{' '}
              {isFinished ? `finished: ${latest.status}` : latest.status}
            </span>
          ) : null}
        </summary>
        <LogView
          appName={app.name}
          deploymentId={latest?.id ?? null}
          stream="build"
          testId="build-log"
          emptyText="Waiting for the build to start…"
          onEnd={onEnd}
        />
      </details>
    </section>
  );
}
