import type { AppView, DeploymentView } from '@cove/shared/contracts/api';

type Status = AppView['status'] | DeploymentView['status'];

const tone: Record<Status, 'good' | 'busy' | 'bad' | 'idle'> = {
  queued: 'busy',
  building: 'busy',
  deploying: 'busy',
  waking: 'busy',
  running: 'good',
  sleeping: 'idle',
  stopped: 'idle',
  superseded: 'idle',
  cancelled: 'idle',
  failed: 'bad',
  crashed: 'bad',
};

/** announce: a screen reader says each change (the app page's own status, which polling updates). */
export function StatusBadge({
  status,
  testId,
  announce,
}: {
  status: Status;
  testId?: string;
  announce?: boolean;
}) {
  return (
    <span
      className={`badge badge-${tone[status]}`}
      data-testid={testId}
      aria-live={announce ? 'polite' : undefined}
    >
      {status}
    </span>
  );
}
