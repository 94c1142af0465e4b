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
  onNotice,
}: {
  appName: string;
  status: AppStatus;
  hasLiveVersion: boolean;
  onNotice: (notice: { text: string; isError: boolean }) => void;
}) {
  const [isBusy, setBusy] = useState(false);
  const isAsleep = status === 'sleeping' || status === 'waking';

  async function act(action: 'sleep' | 'wake') {
    setBusy(true);
    const result = await apiRequest(`/apps/${appName}/${action}`, messageResponse, { method: 'POST' });
    setBusy(false);
    onNotice(
      result.ok ? { text: result.data.message, isError: false } : { text: result.message, isError: true },
    );
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
