'use client';

// Owners rename the workspace: one field, saved through PATCH /api/v1/workspace; the page's heading
// and the workspace switcher show the new name after a refresh.
import { workspaceView } from '@cove/shared/contracts/api';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { Field } from './field';

export function WorkspaceNameForm({ name }: { name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const newName = String(new FormData(event.currentTarget).get('workspace-name') ?? '');
    setBusy(true);
    const result = await apiRequest('/workspace', workspaceView, {
      method: 'PATCH',
      body: { name: newName },
    });
    setBusy(false);
    if (!result.ok) {
      setNotice(null);
      setError(result.fields.name ?? result.message);
      return;
    }
    setError(undefined);
    setNotice(`Renamed to ${result.data.name}.`);
    router.refresh();
  }

  return (
    <section className="card" aria-labelledby="workspace-name-title">
      <h2 id="workspace-name-title">Name</h2>
      <form onSubmit={save} className="form" noValidate>
        <Field
          id="workspace-name"
          label="Workspace name"
          defaultValue={name}
          maxLength={60}
          required
          hint="Shown to its members and on invitations."
          error={error}
        />
        <button type="submit" disabled={isBusy}>
          Rename
        </button>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
      </form>
    </section>
  );
}
