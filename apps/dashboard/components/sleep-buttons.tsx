'use client';

import { messageResponse } from '@cove/shared/contracts/api';
// "Sleep now" and "Wake now" on the app page. The builder does the work; the page's status
// polling shows sleeping, waking and running as they come.
import type { AppStatus } from '@cove/shared/db/schema/apps';
import { useState } from 'react';
import { apiRequest } from '../lib/client/api';

export function SleepButtons({
  appName,
  status,
  hasLiveVersion,
  onDone,
}: {
  appName: string;
  status: AppStatus;
  hasLiveVersion: boolean;
  /** After the request: the page follows the action to its end, or shows the refusal. */
  onDone: (action: 'sleep' | 'wake', error: string | null) => void;
}) {
  const [isBusy, setBusy] = useState(false);
  const isAsleep = status === 'sleeping' || status === 'waking';

  async function act(action: 'sleep' | 'wake') {
    setBusy(true);
    const result = await apiRequest(`/apps/${appName}/${action}`, messageResponse, { method: 'POST' });
    setBusy(false);
    onDone(action, result.ok ? null : result.message);
  }

  return isAsleep ? (
    <button type="button" onClick={() => act('wake')} disabled={isBusy || status === 'waking'}>
      Wake now
    </button>
  ) : (
    <button
      type="button"
      onClick={() => act('sleep')}
      disabled={isBusy || !hasLiveVersion || status !== 'running'}
    >
      Sleep now
    </button>
  );
}
