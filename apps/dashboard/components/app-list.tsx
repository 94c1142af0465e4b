'use client';

import { type AppView, listAppsResponse } from '@cove/shared/contracts/api';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { StatusBadge } from './status-badge';

const pollIntervalMs = 2000;

export function AppList({ initialApps }: { initialApps: AppView[] }) {
  const [apps, setApps] = useState(initialApps);
  useEffect(() => {
    let isActive = true;
    const timer = setInterval(async () => {
      const result = await apiRequest('/apps', listAppsResponse);
      if (isActive && result.ok) setApps(result.data.apps);
    }, pollIntervalMs);
    return () => {
      isActive = false;
      clearInterval(timer);
    };
  }, []);

  if (apps.length === 0) {
    return (
      <div className="card empty">
        <p>No apps yet. Deploy one from a git repository with a Streamlit script.</p>
      </div>
    );
  }
  return (
    <table className="apps">
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Status</th>
          <th scope="col">Repository</th>
          <th scope="col">Address</th>
        </tr>
      </thead>
      <tbody>
        {apps.map((app) => (
          <tr key={app.id}>
            <td>
              <Link href={`/apps/${app.name}`}>{app.name}</Link>
            </td>
            <td>
              <StatusBadge status={app.status} />
            </td>
            <td className="mono">
              {app.source === 'upload' ? (
                <span className="muted">uploaded folder</span>
              ) : (
                <>
                  {app.repoUrl} <span className="muted nowrap">({app.branch})</span>
                </>
              )}
            </td>
            <td>
              <a href={app.url} target="_blank" rel="noreferrer">
                {app.url}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
