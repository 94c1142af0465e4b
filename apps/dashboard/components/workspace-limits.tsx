import type { WorkspaceView } from '@cove/shared/contracts/api';
import { Fragment } from 'react';

/** The operator's limits for the workspace beside what its apps use now. */
export function WorkspaceLimits({ workspace }: { workspace: WorkspaceView }) {
  const { limits, usage } = workspace;
  const rows = [
    { label: 'Apps', used: usage.apps, limit: limits.maxApps, unit: '' },
    { label: 'Running apps', used: usage.runningApps, limit: limits.maxRunningApps, unit: '' },
    { label: 'Memory of awake apps', used: usage.memoryMb, limit: limits.maxMemoryMb, unit: ' MB' },
  ];
  return (
    <section className="card" aria-labelledby="limits-title">
      <h2 id="limits-title">Limits</h2>
      <dl className="facts">
        {rows.map((row) => (
          <Fragment key={row.label}>
            <dt>{row.label}</dt>
            <dd>
              {row.used}
              {row.unit} of {row.limit}
              {row.unit}
            </dd>
          </Fragment>
        ))}
      </dl>
      <p className="hint">The operator of this Cove sets these limits; ask them to raise one.</p>
    </section>
  );
}
