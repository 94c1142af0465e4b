'use client';
// The app's recent status changes as Cove recorded them: from what to what, who or what did it
// (a person, a push, the builder, the reconciler) and why.
import { type AppTransitionView, appHistoryResponse } from '@cove/shared/contracts/api';
import { useCallback, useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';

const pollIntervalMs = 5000;
const shownCount = 12;

const actorNames: Record<AppTransitionView['actor'], string> = {
  user: 'a person',
  builder: 'the builder',
  reconciler: 'the reconciler',
  webhook: 'a push',
};

export function AppHistory({ appName }: { appName: string }) {
  const [transitions, setTransitions] = useState<AppTransitionView[]>([]);

  const refresh = useCallback(async () => {
    const result = await apiRequest(`/apps/${appName}/history`, appHistoryResponse);
    if (result.ok) setTransitions(result.data.transitions.slice(0, shownCount));
  }, [appName]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, pollIntervalMs);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <section className="card" data-testid="app-history">
      <h2>History</h2>
      {transitions.length === 0 ? <p className="muted">Nothing yet.</p> : null}
      <ul className="deployments">
        {transitions.map((entry) => (
          <li key={`${entry.at}-${entry.subject}-${entry.toStatus}-${entry.deploymentId ?? ''}`}>
            <span className="muted">{new Date(entry.at).toLocaleString()}</span>{' '}
            {entry.subject === 'app' ? 'App' : 'Deployment'}{' '}
            {entry.fromStatus ? `${entry.fromStatus} → ` : ''}
            <strong>{entry.toStatus}</strong> <span className="muted">by {actorNames[entry.actor]}</span>
            <p className="muted">{entry.reason}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
