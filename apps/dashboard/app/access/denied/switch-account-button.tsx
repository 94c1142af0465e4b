'use client';

import { messageResponse } from '@cove/shared/contracts/api';
import { apiRequest } from '../../../lib/client/api';

/** Signs out, then signs in again (as someone else) and comes back to `next`. */
export function SwitchAccountButton({ next }: { next: string }) {
  return (
    <button
      type="button"
      onClick={async () => {
        await apiRequest('/auth/logout', messageResponse, { method: 'POST' });
        window.location.assign(`/login?${new URLSearchParams({ next })}`);
      }}
    >
      Sign in as someone else
    </button>
  );
}
