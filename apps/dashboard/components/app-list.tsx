'use client';

import { type AppView, listAppsResponse } from '@cove/shared/contracts/api';
import { sleepDepthOf } from '@cove/shared/sleep/wake-state';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { matchingApps } from '../lib/client/app-search';
import { versionLabel } from '../lib/client/version-label';
import { StatusBadge } from './status-badge';

const pollIntervalMs = 2000;

function lastDeploy(app: AppView): string {
  const latest = app.latestDeployment;
  if (!latest) return 'Not deployed yet';
  return `Deployed ${versionLabel(latest, 'commit pending')}, ${new Date(latest.createdAt).toLocaleString()}`;
}

export function AppList({ initialApps }: { initialApps: AppView[] }) {
  const [apps, setApps] = useState(initialApps);
  const [query, setQuery] = useState('');
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
      <div className="card empty" data-testid="first-run-guide">
        <h2>Deploy your first app</h2>
        <ol>
          <li>
            Put your Streamlit script (for example <code>streamlit_app.py</code>) in a git repository, with a{' '}
            <code>requirements.txt</code> for the packages it imports.
          </li>
          <li>
            Click <strong>New app</strong> (developers and owners) and give the repository URL, its branch and
            the script&apos;s path. Cove checks that they are there before it builds.
          </li>
          <li>
            The app is live at its own address within a minute or two. Add the webhook shown under its
            Settings to your repository, and every push redeploys it.
          </li>
        </ol>
      </div>
    );
  }
  const shown = matchingApps(apps, query);
  return (
    <>
      <div className="app-search">
        <label htmlFor="app-search">Find an app</label>
        <input
          id="app-search"
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="name or repository"
        />
      </div>
      {shown.length === 0 ? (
        <p className="muted" role="status">
          No app matches {query.trim()}.
        </p>
      ) : null}
      <table className="apps">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Status</th>
            <th scope="col">Repository</th>
            <th scope="col">Last deploy</th>
            <th scope="col">Address</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((app) => (
            <tr key={app.id}>
              <td>
                <Link href={`/apps/${app.name}`}>{app.name}</Link>
                {app.visibility === 'private' ? <span className="muted nowrap"> · private</span> : null}
              </td>
              <td>
                <StatusBadge status={app.status} />
                {app.status === 'sleeping' && sleepDepthOf(app.statusMessage) ? (
                  <span className="muted nowrap"> {sleepDepthOf(app.statusMessage)}</span>
                ) : null}
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
              <td className="muted" data-testid="app-last-deploy">
                {lastDeploy(app)}
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
    </>
  );
}
