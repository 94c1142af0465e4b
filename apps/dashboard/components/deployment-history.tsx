'use client';
// The app's deployments, newest first: a running build can be cancelled, and an earlier version
// that went live can be made live again from its image, without a rebuild.
import { type DeploymentView, deploymentResponse, listDeploymentsResponse } from '@cove/shared/contracts/api';
import { useCallback, useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';
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

export function DeploymentHistory({
  appName,
  liveDeploymentId,
}: {
  appName: string;
  liveDeploymentId: string | null;
}) {
  const [deployments, setDeployments] = useState<DeploymentView[]>([]);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
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
      setNotice({ text: result.message, isError: true });
      return;
    }
    setNotice({
      text: action === 'cancel' ? 'Build cancelled.' : 'Making that version live again…',
      isError: false,
    });
    await refresh();
  }

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
          const canCancel = inProgress.includes(deployment.status);
          const canMakeLive = !isLive && deployment.hasServed;
          return (
            <li key={deployment.id} data-testid={`deployment-${deployment.id}`}>
              <StatusBadge status={deployment.status} /> {isLive ? <strong>live</strong> : null}{' '}
              <span className="mono" title={deployment.commit ?? undefined}>
                {deployment.commit ? deployment.commit.slice(0, 7) : 'branch head'}
              </span>{' '}
              {deployment.commitMessage?.split('\n')[0] ?? ''}{' '}
              <span className="muted">
                {deployment.commitAuthor ? `${deployment.commitAuthor} · ` : ''}
                {deployment.trigger} · {timing(deployment)}
              </span>
              {canCancel ? (
                <button type="button" onClick={() => act(deployment, 'cancel')} disabled={busyId !== null}>
                  Cancel
                </button>
              ) : null}
              {canMakeLive ? (
                <button type="button" onClick={() => act(deployment, 'rollback')} disabled={busyId !== null}>
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
