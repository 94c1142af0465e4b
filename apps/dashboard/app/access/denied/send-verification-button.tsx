'use client';

import { verificationMailResponse } from '@cove/shared/contracts/api';
import { useState } from 'react';
import { apiRequest } from '../../../lib/client/api';

/** Mails the signed-in person a new link that verifies their address, and says what happened. */
export function SendVerificationButton() {
  const [isBusy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);
  return (
    <>
      <p className="actions">
        <button
          type="button"
          disabled={isBusy}
          onClick={async () => {
            setBusy(true);
            const result = await apiRequest('/session/verification', verificationMailResponse, {
              method: 'POST',
            });
            setBusy(false);
            setNotice(
              result.ok
                ? { text: result.data.message, isError: !result.data.isMailSent }
                : { text: result.message, isError: true },
            );
          }}
        >
          Send the verification link again
        </button>
      </p>
      {notice ? (
        <p className={notice.isError ? 'form-error' : 'notice'} role="status">
          {notice.text}
        </p>
      ) : null}
    </>
  );
}
