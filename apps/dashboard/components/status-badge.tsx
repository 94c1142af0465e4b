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

export function StatusBadge({ status, testId }: { status: Status; testId?: string }) {
  return (
    <span className={`badge badge-${tone[status]}`} data-testid={testId}>
      {status}
    </span>
  );
}
