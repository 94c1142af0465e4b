// Which apps to put to sleep, as a pure function of their state, their live container and when
// they last had a visitor. Two depths: frozen (paused, memory kept, wakes in a moment) after
// freezeAfterSeconds idle, stopped (no memory) after stopAfterSeconds idle. 0 turns a depth off;
// an app's own idle time, when set, replaces the platform's.
import type { AppStatus } from '@cove/shared/db/schema/apps';
import type { ContainerState } from '../runtime/types';

export interface SleepCandidate {
  appId: string;
  status: AppStatus;
  /** The live deployment's container as the engine reports it, if there is one. */
  liveContainer: { id: string; state: ContainerState } | null;
  /** The app's own idle times; null: the platform's (input.thresholds). */
  idle: { freezeAfterSeconds: number | null; stopAfterSeconds: number | null };
}

export interface SleepThresholds {
  freezeAfterSeconds: number;
  stopAfterSeconds: number;
}

export interface SleepInput {
  apps: readonly SleepCandidate[];
  /** Last activity per app id (ms since the epoch), as the proxies recorded it. */
  lastActivityMsByAppId: ReadonlyMap<string, number>;
  nowMs: number;
  thresholds: SleepThresholds;
}

export type SleepAction =
  /** Apps with no activity record yet: their idle clock starts now. */
  | { kind: 'seed-activity'; appIds: string[] }
  | { kind: 'freeze'; appId: string; containerId: string }
  | { kind: 'stop'; appId: string; containerId: string };

function isPast(idleSeconds: number, thresholdSeconds: number): boolean {
  return thresholdSeconds > 0 && idleSeconds >= thresholdSeconds;
}

export function decideSleep(input: SleepInput): SleepAction[] {
  const actions: SleepAction[] = [];
  const unseen: string[] = [];
  for (const app of input.apps) {
    const freezeAfterSeconds = app.idle.freezeAfterSeconds ?? input.thresholds.freezeAfterSeconds;
    const stopAfterSeconds = app.idle.stopAfterSeconds ?? input.thresholds.stopAfterSeconds;
    const container = app.liveContainer;
    if (container === null) continue;
    const isAwake = app.status === 'running' && container.state === 'running';
    const isFrozen = app.status === 'sleeping' && container.state === 'paused';
    if (!isAwake && !isFrozen) continue;
    const lastActivityMs = input.lastActivityMsByAppId.get(app.appId);
    if (lastActivityMs === undefined) {
      unseen.push(app.appId);
      continue;
    }
    const idleSeconds = (input.nowMs - lastActivityMs) / 1000;
    if (isPast(idleSeconds, stopAfterSeconds)) {
      actions.push({ kind: 'stop', appId: app.appId, containerId: container.id });
    } else if (isAwake && isPast(idleSeconds, freezeAfterSeconds)) {
      actions.push({ kind: 'freeze', appId: app.appId, containerId: container.id });
    }
  }
  if (unseen.length > 0) actions.unshift({ kind: 'seed-activity', appIds: unseen });
  return actions;
}
