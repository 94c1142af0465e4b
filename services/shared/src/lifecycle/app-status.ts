// The steps of an app with a live version that are not a new container: it crashes, goes to sleep,
// starts waking. (A container going live is go-live.ts.)
import { eq, sql } from 'drizzle-orm';
import { apps } from '../db/schema/apps';
import { type Actor, builder, changeAppStatus, type Writer } from './record';
import { type LifecycleDeps, routeTo } from './routes';
import type { AppStatus } from './states';

/** The live version is down: the app reads crashed, with why, and its crash count goes up. */
export async function markCrashed(
  db: Writer,
  crash: { appId: string; liveDeploymentId: string; message: string; by?: Actor },
): Promise<boolean> {
  const result = await changeAppStatus(db, {
    appId: crash.appId,
    to: 'crashed',
    where: eq(apps.liveDeploymentId, crash.liveDeploymentId),
    set: { statusMessage: crash.message, crashCount: sql`${apps.crashCount} + 1` },
    deploymentId: crash.liveDeploymentId,
    by: crash.by ?? builder,
    reason: crash.message,
  });
  return result.isChanged;
}

/**
 * The row first (only while the app is in a state the caller saw: `from`), then the route: the
 * proxy stops sending to the container and asks for a wake on the next visit. False when the app
 * moved on meanwhile; the caller then leaves its container alone.
 */
export async function markSleeping(
  deps: LifecycleDeps,
  sleep: {
    app: { id: string; name: string };
    liveDeploymentId: string;
    from: readonly AppStatus[];
    message: string;
    by: Actor;
  },
): Promise<boolean> {
  const result = await changeAppStatus(deps.db, {
    appId: sleep.app.id,
    to: 'sleeping',
    from: sleep.from,
    where: eq(apps.liveDeploymentId, sleep.liveDeploymentId),
    // Asleep, one container is kept (frozen or stopped); awake again, it starts with its minimum.
    set: { statusMessage: sleep.message, replicaCount: sql`${apps.minReplicas}` },
    deploymentId: sleep.liveDeploymentId,
    by: sleep.by,
    reason: sleep.message,
  });
  if (!result.isChanged) return false;
  await routeTo(deps, sleep.app, 'sleeping');
  return true;
}

/** Within the caller's transaction (the running-apps claim); false when the app is not asleep. */
export async function markWaking(
  tx: Writer,
  waking: { appId: string; liveDeploymentId: string; by: Actor },
): Promise<boolean> {
  const result = await changeAppStatus(tx, {
    appId: waking.appId,
    to: 'waking',
    where: eq(apps.liveDeploymentId, waking.liveDeploymentId),
    set: { statusMessage: 'Waking up.' },
    deploymentId: waking.liveDeploymentId,
    by: waking.by,
    reason: 'Waking up.',
  });
  return result.isChanged;
}

/** The proxy shows the app as it now is, with nothing to send visitors to (waking, crashed). */
export async function routeWithoutUpstream(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  app: { id: string; name: string },
  status: Extract<AppStatus, 'waking' | 'crashed'>,
): Promise<void> {
  await routeTo(deps, app, status);
}
