'use client';

// Revoking a token, confirmed in a dialog: whatever sends it is refused from then on.
import { type ApiTokenView, messageResponse } from '@cove/shared/contracts/api';
import { useEffect, useRef, useState } from 'react';
import { apiRequest } from '../lib/client/api';

export function RevokeTokenDialog({
  token,
  onRevoked,
}: {
  token: ApiTokenView;
  onRevoked: (message: string) => Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [isOpen, setOpen] = useState(false);
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = `revoke-token-title-${token.id}`;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (isOpen && !element.open) element.showModal();
    if (!isOpen && element.open) element.close();
  }, [isOpen]);

  function close() {
    setOpen(false);
    setError(null);
  }

  async function revoke() {
    setBusy(true);
    const result = await apiRequest(`/tokens/${token.id}`, messageResponse, { method: 'DELETE' });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    close();
    await onRevoked(result.data.message);
  }

  return (
    <>
      <button
        type="button"
        className="danger"
        onClick={() => setOpen(true)}
        aria-label={`Revoke ${token.name}`}
      >
        Revoke
      </button>
      <dialog ref={dialog} onClose={close} aria-labelledby={titleId} className="card">
        <h2 id={titleId}>Revoke {token.name}?</h2>
        <p>Every script or program that sends this token is refused from now on. This cannot be undone.</p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" onClick={close} disabled={isBusy}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={revoke} disabled={isBusy}>
            Revoke token
          </button>
        </div>
      </dialog>
    </>
  );
}
