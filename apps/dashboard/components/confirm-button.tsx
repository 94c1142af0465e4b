'use client';

// A button whose action is asked about first in the page's own dialog (focus moves into it, Escape
// or Cancel closes it), instead of the browser's bare confirm().
import { useId, useState } from 'react';
import { useModalDialog } from '../lib/client/use-modal-dialog';

export function ConfirmButton({
  label,
  accessibleName,
  title,
  text,
  confirmLabel,
  isDisabled = false,
  onConfirm,
}: {
  label: string;
  /** What a screen reader hears for the button when the label alone is ambiguous (one per row). */
  accessibleName?: string;
  title: string;
  text: string;
  confirmLabel: string;
  isDisabled?: boolean;
  /** The action; its refusal, if any, is shown in the dialog, which then stays open. */
  onConfirm: () => Promise<string | null>;
}) {
  const titleId = useId();
  const [isOpen, setOpen] = useState(false);
  const dialog = useModalDialog(isOpen);
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close() {
    setOpen(false);
    setError(null);
  }

  async function confirm() {
    setBusy(true);
    const refusal = await onConfirm();
    setBusy(false);
    if (refusal === null) close();
    else setError(refusal);
  }

  return (
    <>
      <button
        type="button"
        className="danger"
        onClick={() => setOpen(true)}
        disabled={isDisabled}
        aria-label={accessibleName}
      >
        {label}
      </button>
      <dialog ref={dialog} onClose={close} aria-labelledby={titleId} className="card">
        <h2 id={titleId}>{title}</h2>
        <p>{text}</p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" onClick={close} disabled={isBusy}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={confirm} disabled={isBusy}>
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
