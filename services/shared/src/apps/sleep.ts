// "Sleep now" and "Wake now": the builder does the work (it alone talks to Docker); these check
// the app can, and queue the operation. A wake shares the one queued wake of the app.
import type { SleepAppRequest } from '../contracts/api';
import { CoveError } from '../errors';
import { checkCanRun } from '../workspaces/limits';
import type { AppsDeps } from './deps';
import { findApp } from './queries';

export async function requestSleep(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
  request: SleepAppRequest = { depth: 'stop' },
): Promise<{ message: string }> {
  const app = await findApp(deps.db, workspaceId, name);
  if (!app.liveDeploymentId || !['running', 'sleeping'].includes(app.status)) {
    throw new CoveError(
      'conflict',
      `${name} is not running (it is ${app.status}), so there is nothing to put to sleep.`,
    );
  }
  const depth = request.depth === 'freeze' ? 'frozen' : 'stopped';
  await deps.queues.enqueueAppOperation({ appId: app.id, operation: 'sleep', depth });
  return {
    message: depth === 'frozen' ? `Freezing ${name}.` : `Putting ${name} to sleep.`,
  };
}

export async function requestWake(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
): Promise<{ message: string }> {
  const app = await findApp(deps.db, workspaceId, name);
  if (!app.liveDeploymentId) {
    throw new CoveError(
      'conflict',
      `${name} has no deployed version to wake yet. Wait for its first deploy.`,
    );
  }
  if (app.status !== 'sleeping' && app.status !== 'waking') {
    return { message: `${name} is not asleep (it is ${app.status}).` };
  }
  await checkCanRun(deps, workspaceId, app.id, `wake ${app.name}`);
  await deps.queues.enqueueAppOperation({ appId: app.id, operation: 'wake' });
  return { message: `Waking ${name} up.` };
}
