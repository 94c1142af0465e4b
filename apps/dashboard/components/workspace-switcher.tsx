'use client';

// The shell's workspace picker: moves the browser session into another workspace the person
// belongs to, then reloads the apps of that workspace.
import { type WorkspaceMembershipView, workspaceMembershipView } from '@cove/shared/contracts/api';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';

export function WorkspaceSwitcher({ workspaces }: { workspaces: WorkspaceMembershipView[] }) {
  const current = workspaces.find((workspace) => workspace.isCurrent);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  if (!current) return null;
  if (workspaces.length < 2) return <span className="workspace-name">{current.name}</span>;

  async function switchTo(workspaceId: string) {
    setBusy(true);
    const result = await apiRequest('/session/workspace', workspaceMembershipView, {
      method: 'POST',
      body: { workspaceId },
    });
    if (result.ok) {
      window.location.assign('/apps');
      return;
    }
    setBusy(false);
    setError(result.message);
  }

  return (
    <span className="workspace-switcher">
      <label htmlFor="workspace-switcher" className="visually-hidden">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={current.id}
        disabled={isBusy}
        onChange={(event) => switchTo(event.currentTarget.value)}
      >
        {workspaces.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name} ({workspace.role})
          </option>
        ))}
      </select>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
