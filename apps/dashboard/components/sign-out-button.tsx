'use client';

import { messageResponse } from '@cove/shared/contracts/api';
import { apiRequest } from '../lib/client/api';

export function SignOutButton() {
  return (
    <button
      type="button"
      className="link-button"
      onClick={async () => {
        await apiRequest('/auth/logout', messageResponse, { method: 'POST' });
        window.location.assign('/login');
      }}
    >
      Sign out
    </button>
  );
}
