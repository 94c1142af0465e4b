// The scaler's judgement, as a pure function: from each running app's settings, its replicas and
// the sessions the proxies count on each, whether to start more replicas or stop an idle one.
// More start as soon as the sessions per replica pass the setting (up to the maximum); a replica
// stops once it has had no session for the app's idle threshold, never below the minimum. The
// replica the deployment row records is never the one stopped (it is what a wake starts again).

export interface ScaledReplica {
  replicaId: string;
  sessions: number;
  /** When it last had a session (ms), or null: no record yet (just started). */
  lastBusyMs: number | null;
}

export interface ScaledApp {
  appId: string;
  replicaCount: number;
  minReplicas: number;
  maxReplicas: number;
  sessionsPerReplica: number;
  /** A replica idle this long is stopped; 0 never. */
  idleAfterSeconds: number;
  /** The running replicas, the recorded one first. */
  replicas: readonly ScaledReplica[];
}

export type ScaleAction =
  /** The count goes to `count` (up for sessions; either way when the settings moved). */
  | { kind: 'scale-to'; appId: string; count: number; reason: string }
  | { kind: 'scale-down'; appId: string; replicaId: string; count: number; reason: string }
  /** Replicas with no record of being busy: their idle clock starts now. */
  | { kind: 'seed-idle-clock'; appId: string; replicaIds: string[] };

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function decideScale(apps: readonly ScaledApp[], nowMs: number): ScaleAction[] {
  const actions: ScaleAction[] = [];
  for (const app of apps) {
    const unseeded = app.replicas.filter((replica) => replica.lastBusyMs === null);
    if (unseeded.length > 0) {
      actions.push({
        kind: 'seed-idle-clock',
        appId: app.appId,
        replicaIds: unseeded.map((replica) => replica.replicaId),
      });
    }
    const minimum = Math.max(1, app.minReplicas);
    const maximum = Math.max(minimum, app.maxReplicas);
    const sessions = app.replicas.reduce((sum, replica) => sum + replica.sessions, 0);
    const needed = Math.min(
      maximum,
      Math.max(minimum, Math.ceil(sessions / Math.max(1, app.sessionsPerReplica))),
    );
    const current = Math.min(maximum, Math.max(minimum, app.replicaCount));
    if (needed > current) {
      actions.push({
        kind: 'scale-to',
        appId: app.appId,
        count: needed,
        reason: `Scaled up to ${plural(needed, 'replica')}: ${plural(sessions, 'open session')}, ${app.sessionsPerReplica} per replica.`,
      });
      continue;
    }
    if (current !== app.replicaCount) {
      // The settings moved (a lower maximum, a higher minimum): the count follows them.
      actions.push({
        kind: 'scale-to',
        appId: app.appId,
        count: current,
        reason: `Now ${plural(current, 'replica')}, within the app's minimum and maximum.`,
      });
      continue;
    }
    // Only with every replica up: while one is missing (starting, died) nothing is stopped.
    if (current <= minimum || app.replicas.length < current || app.idleAfterSeconds === 0) continue;
    const idle = app.replicas
      .slice(1)
      .find(
        (replica) =>
          replica.sessions === 0 &&
          replica.lastBusyMs !== null &&
          nowMs - replica.lastBusyMs >= app.idleAfterSeconds * 1000,
      );
    if (idle) {
      actions.push({
        kind: 'scale-down',
        appId: app.appId,
        replicaId: idle.replicaId,
        count: current - 1,
        reason: `Scaled down to ${plural(current - 1, 'replica')}: one had no session for ${app.idleAfterSeconds} s.`,
      });
    }
  }
  return actions;
}
