// One pass of the sleep check, run by the reconciler after it converged: read when each app was
// last visited, decide (decide-sleep.ts), and freeze or stop the idle ones.
import { readActivity, seedActivity } from '@cove/shared/sleep/activity';
import type { BuilderContext } from '../context';
import type { DesiredApp, ObservedContainer } from '../reconciler/decide';
import { decideSleep, type SleepCandidate } from './decide-sleep';
import { putAppToSleep } from './put-to-sleep';

function candidates(apps: readonly DesiredApp[], containers: readonly ObservedContainer[]): SleepCandidate[] {
  return apps.flatMap((app) => {
    const live = app.live;
    if (live === null || live.containerId === null) return [];
    const container = containers.find((observed) => observed.id === live.containerId);
    return [
      {
        appId: app.id,
        status: app.status,
        liveContainer: container ? { id: container.id, state: container.state } : null,
        idle: app.idle,
      },
    ];
  });
}

export async function sleepIdleApps(
  context: BuilderContext,
  apps: readonly DesiredApp[],
  containers: readonly ObservedContainer[],
): Promise<void> {
  const { config, redis, logger } = context;
  const instance = config.COVE_INSTANCE;
  const nowMs = Date.now();
  const actions = decideSleep({
    apps: candidates(apps, containers),
    lastActivityMsByAppId: await readActivity(redis, instance),
    nowMs,
    thresholds: {
      freezeAfterSeconds: config.COVE_FREEZE_AFTER_SECONDS,
      stopAfterSeconds: config.COVE_STOP_AFTER_SECONDS,
    },
  });
  for (const action of actions) {
    try {
      switch (action.kind) {
        case 'seed-activity':
          await seedActivity(redis, instance, action.appIds, nowMs);
          break;
        case 'freeze':
          await putAppToSleep(context, action.appId, 'frozen');
          break;
        case 'stop':
          await putAppToSleep(context, action.appId, 'stopped');
          break;
        default: {
          const unknown: never = action;
          throw new Error(`Unknown sleep action ${JSON.stringify(unknown)}`);
        }
      }
    } catch (error) {
      logger.error({ err: error, action }, 'a sleep action failed; the next pass tries again');
    }
  }
}
