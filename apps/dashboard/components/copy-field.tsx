'use client';

// A value to copy (an invite link, a new token, a webhook's address or secret): read-only, selected
// on focus, with a Copy button that says when it worked or that the browser refused.
import { useState } from 'react';

export function CopyField({
  id,
  label,
  value,
  isLabelHidden = false,
  testId,
}: {
  id: string;
  label: string;
  value: string;
  isLabelHidden?: boolean;
  testId?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'refused'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('refused');
    }
  }

  return (
    <div className="invite-link">
      <label htmlFor={id} className={isLabelHidden ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <input
        id={id}
        className="mono"
        readOnly
        value={value}
        data-testid={testId}
        onFocus={(event) => event.currentTarget.select()}
      />
      <button
        type="button"
        onClick={copy}
        aria-label={state === 'copied' ? 'Copied' : `Copy ${label.toLowerCase()}`}
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {state === 'refused' ? (
        <p className="form-error" role="alert">
          The browser did not allow copying: select it and copy it by hand.
        </p>
      ) : null}
    </div>
  );
}
