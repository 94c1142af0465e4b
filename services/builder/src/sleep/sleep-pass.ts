// One pass of the sleep check, run by the reconciler after it converged: read when each app was
// last visited, decide (decide-sleep.ts), and freeze or stop the idle ones; when the host runs short
// of memory, also stop the least recently used frozen apps (decide-memory-pressure.ts).
import { readFile } from 'node:fs/promises';
import { readActivity, seedActivity } from '@cove/shared/sleep/activity';
import type { BuilderContext } from '../context';
import type { DesiredApp, ObservedContainer } from '../reconciler/decide';
import { decideMemoryPressure, parseAvailableMemoryMb } from './decide-memory-pressure';
import { decideSleep, type SleepAction, type SleepCandidate } from './decide-sleep';
import { putAppToSleep } from './put-to-sleep';

/** The host's memory as the kernel reports it (the builder runs on the host the apps run on). */
const meminfoPath = '/proc/meminfo';

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

/** Frozen apps (not already being stopped) to stop because the host runs short of memory. */
async function decidePressureStops(
  context: BuilderContext,
  apps: readonly DesiredApp[],
  containers: readonly ObservedContainer[],
  lastActivity: ReadonlyMap<string, number>,
  stoppedNow: ReadonlySet<string>,
): Promise<SleepAction[]> {
  const { config, logger } = context;
  if (config.COVE_MEMORY_PRESSURE_MB === 0) return [];
  const availableMemoryMb = parseAvailableMemoryMb(await readFile(meminfoPath, 'utf8'));
  if (availableMemoryMb === null) return [];
  const frozenApps = candidates(apps, containers).flatMap((app) => {
    const container = app.liveContainer;
    if (app.status !== 'sleeping' || container?.state !== 'paused' || stoppedNow.has(app.appId)) return [];
    const observed = containers.find((candidate) => candidate.id === container.id);
    return [
      {
        appId: app.appId,
        containerId: container.id,
        lastActivityMs: lastActivity.get(app.appId) ?? null,
        memoryMb: observed?.memoryLimitMb ?? config.COVE_APP_MEMORY_MB,
      },
    ];
  });
  const stops = decideMemoryPressure({
    availableMemoryMb,
    pressureBelowMb: config.COVE_MEMORY_PRESSURE_MB,
    frozenApps,
  });
  if (stops.length > 0) {
    logger.info(
      {
        availableMemoryMb,
        pressureBelowMb: config.COVE_MEMORY_PRESSURE_MB,
        appIds: stops.map((stop) => stop.appId),
      },
      'memory is short: stopping the least recently used frozen apps',
    );
  }
  return stops;
}

export async function sleepIdleApps(
  context: BuilderContext,
  apps: readonly DesiredApp[],
  containers: readonly ObservedContainer[],
): Promise<void> {
  const { config, redis, logger } = context;
  const instance = config.COVE_INSTANCE;
  const nowMs = Date.now();
  const lastActivity = await readActivity(redis, instance);
  const actions = decideSleep({
    apps: candidates(apps, containers),
    lastActivityMsByAppId: lastActivity,
    nowMs,
    thresholds: {
      freezeAfterSeconds: config.COVE_FREEZE_AFTER_SECONDS,
      stopAfterSeconds: config.COVE_STOP_AFTER_SECONDS,
    },
  });
  const stoppedNow = new Set(actions.flatMap((action) => (action.kind === 'stop' ? [action.appId] : [])));
  const pressureStops = await decidePressureStops(context, apps, containers, lastActivity, stoppedNow);
  for (const action of [...actions, ...pressureStops]) {
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
