'use client';
// The app's deployments, newest first: a running build can be cancelled, and an earlier version
// that went live can be made live again from its image, without a rebuild.
import {
  type AppView,
  type DeploymentView,
  deploymentResponse,
  listDeploymentsResponse,
} from '@cove/shared/contracts/api';
import { useCallback, useEffect, useState } from 'react';
import { type AppAction, actionNotice, type Notice } from '../lib/client/action-notice';
import { apiRequest } from '../lib/client/api';
import { versionLabel, versionTitle } from '../lib/client/version-label';
import { StatusBadge } from './status-badge';

const pollIntervalMs = 2000;
const inProgress: readonly DeploymentView['status'][] = ['queued', 'building', 'deploying'];

function timing(deployment: DeploymentView): string {
  const created = new Date(deployment.createdAt).toLocaleString();
  if (!deployment.startedAt || !deployment.finishedAt) return created;
  const seconds = Math.round(
    (new Date(deployment.finishedAt).getTime() - new Date(deployment.startedAt).getTime()) / 1000,
  );
  return `${created} · ${seconds} s`;
}

export function DeploymentHistory({ app, canChange }: { app: AppView; canChange: boolean }) {
  const appName = app.name;
  const liveDeploymentId = app.currentDeployment?.id ?? null;
  const [deployments, setDeployments] = useState<DeploymentView[]>([]);
  /** A cancel is done when answered; a rollback is followed until the version is live. */
  const [outcome, setOutcome] = useState<Notice | AppAction | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const result = await apiRequest(`/apps/${appName}/deployments`, listDeploymentsResponse);
    if (result.ok) setDeployments(result.data.deployments);
  }, [appName]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, pollIntervalMs);
    return () => clearInterval(timer);
  }, [refresh]);

  async function act(deployment: DeploymentView, action: 'cancel' | 'rollback') {
    setBusyId(deployment.id);
    const result = await apiRequest(
      `/apps/${appName}/deployments/${deployment.id}/${action}`,
      deploymentResponse,
      { method: 'POST' },
    );
    setBusyId(null);
    if (!result.ok) {
      setOutcome({ text: result.message, isError: true });
      return;
    }
    setOutcome(
      action === 'cancel'
        ? { text: 'Build cancelled.', isError: false }
        : { kind: 'rollback', deploymentId: result.data.deployment.id },
    );
    await refresh();
  }

  const notice = outcome === null ? null : 'kind' in outcome ? actionNotice(outcome, app) : outcome;
  return (
    <section className="card" data-testid="deployment-history">
      <h2>Deployments</h2>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status">
          {notice.text}
        </p>
      ) : null}
      {deployments.length === 0 ? <p className="muted">None yet.</p> : null}
      <ul className="deployments">
        {deployments.map((deployment) => {
          const isLive = deployment.id === liveDeploymentId;
          const canCancel = canChange && inProgress.includes(deployment.status);
          const canMakeLive = canChange && !isLive && deployment.hasServed;
          const label = `${versionLabel(deployment, 'branch head')}, ${new Date(deployment.createdAt).toLocaleString()}`;
          return (
            <li key={deployment.id} data-testid={`deployment-${deployment.id}`}>
              <StatusBadge status={deployment.status} /> {isLive ? <strong>live</strong> : null}{' '}
              <span className="mono" title={versionTitle(deployment)}>
                {versionLabel(deployment, 'branch head')}
              </span>{' '}
              {deployment.commitMessage?.split('\n')[0] ?? ''}{' '}
              <span className="muted">
                {deployment.commitAuthor ? `${deployment.commitAuthor} · ` : ''}
                {deployment.trigger} · {timing(deployment)}
              </span>
              {canCancel ? (
                <button
                  type="button"
                  onClick={() => act(deployment, 'cancel')}
                  disabled={busyId !== null}
                  aria-label={`Cancel the build of ${label}`}
                >
                  Cancel
                </button>
              ) : null}
              {canMakeLive ? (
                <button
                  type="button"
                  onClick={() => act(deployment, 'rollback')}
                  disabled={busyId !== null}
                  aria-label={`Make ${label} live`}
                >
                  Make live
                </button>
              ) : null}
              {deployment.errorMessage ? <p className="deployment-error">{deployment.errorMessage}</p> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
