'use client';

import { messageResponse } from '@cove/shared/contracts/api';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';
import { useModalDialog } from '../lib/client/use-modal-dialog';

/**
 * Delete, confirmed by typing the app's name: a "Delete" button opens a dialog whose "Delete this
 * app" button is enabled only once the typed name matches.
 */
export function DeleteAppDialog({ appName, isDisabled }: { appName: string; isDisabled: boolean }) {
  const router = useRouter();
  const [isOpen, setOpen] = useState(false);
  const dialog = useModalDialog(isOpen);
  const [typed, setTyped] = useState('');
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close() {
    setOpen(false);
    setTyped('');
    setError(null);
  }

  async function remove() {
    setBusy(true);
    const result = await apiRequest(`/apps/${appName}`, messageResponse, { method: 'DELETE' });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    router.push(`/apps?${new URLSearchParams({ deleted: appName })}`);
  }

  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)} disabled={isDisabled}>
        Delete
      </button>
      <dialog ref={dialog} onClose={close} aria-labelledby="delete-app-title" className="card">
        <h2 id="delete-app-title">Delete {appName}?</h2>
        <p>
          Its containers, images, secrets, deployments and logs are removed, and its address stops working.
          This cannot be undone.
        </p>
        {/* A form, so Enter in the name field deletes once the name matches. */}
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!isBusy && typed.trim() === appName) void remove();
          }}
        >
          <div className="field">
            <label htmlFor="delete-app-name">
              Type <span className="mono">{appName}</span> to confirm
            </label>
            <input
              id="delete-app-name"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
          </div>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="actions">
            <button type="button" onClick={close} disabled={isBusy}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={isBusy || typed.trim() !== appName}>
              Delete this app
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
