// How many processes serve an awake app, and which: the scaler raises or lowers the count (within
// the app's minimum and maximum), a started replica joins the route, a stopped one leaves it first.
// The count is desired state (apps.replica_count); the reconciler keeps that many running.
import { and, eq } from 'drizzle-orm';
import { apps } from '../db/schema/apps';
import { type ReplicaEndpoint, readRoute } from '../routing/route-table';
import { type Actor, recordTransition } from './record';
import { type LifecycleDeps, replicaEndpoints, routeTo, type ServingContainer } from './routes';

interface ReplicaChange {
  app: { id: string; name: string };
  liveDeploymentId: string;
  by: Actor;
}

/** Locks the app while it runs `liveDeploymentId`; null when it no longer does (nothing to change). */
async function lockRunningApp(
  tx: Parameters<Parameters<LifecycleDeps['db']['transaction']>[0]>[0],
  change: ReplicaChange,
) {
  const [row] = await tx
    .select({ workspaceId: apps.workspaceId, replicaCount: apps.replicaCount })
    .from(apps)
    .where(
      and(
        eq(apps.id, change.app.id),
        eq(apps.liveDeploymentId, change.liveDeploymentId),
        eq(apps.status, 'running'),
      ),
    )
    .for('update');
  return row ?? null;
}

/** The scaler's choice: `count` replicas should run. False when the app is not running that version. */
export async function setReplicaCount(
  deps: LifecycleDeps,
  change: ReplicaChange & { count: number; reason: string },
): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const row = await lockRunningApp(tx, change);
    if (!row) return false;
    if (row.replicaCount === change.count) return true;
    await tx.update(apps).set({ replicaCount: change.count }).where(eq(apps.id, change.app.id));
    await recordTransition(tx, {
      appId: change.app.id,
      workspaceId: row.workspaceId,
      deploymentId: change.liveDeploymentId,
      subject: 'app',
      fromStatus: 'running',
      toStatus: 'running',
      by: change.by,
      reason: change.reason,
    });
    return true;
  });
}

/** The replicas the proxy sends viewers to now, as the route says. */
export async function routedReplicas(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  appName: string,
): Promise<ReplicaEndpoint[]> {
  const route = await readRoute(deps.redis, deps.config.COVE_INSTANCE, appName);
  return route?.replicas ?? [];
}

/**
 * Sets the replicas the route lists (the recorded one first), while the app runs the live version.
 * A replica that joins answered its health check; one that leaves is stopped only after this.
 */
export async function routeReplicas(
  deps: LifecycleDeps,
  change: ReplicaChange & { serving: readonly ServingContainer[] },
): Promise<boolean> {
  if (change.serving.length === 0) throw new Error('a running app is routed to at least one replica');
  return deps.db.transaction(async (tx) => {
    const row = await lockRunningApp(tx, change);
    if (!row) return false;
    await routeTo(deps, change.app, 'running', change.serving);
    return true;
  });
}

export { replicaEndpoints };
