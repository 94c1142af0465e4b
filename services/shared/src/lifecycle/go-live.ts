// A container becomes what serves an app: a deployment's first container going live (deploy,
// rollback), or a fresh container of the live deployment (secrets, resources, reboot, recovery,
// wake). Rows and route change together, in one transaction that locks the app; the route is
// switched before the commit, so nobody who reads "running" reaches the old route. Should the
// commit fail, the reconciler rewrites the route from the rows.
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { type Actor, builder, changeAppStatus, changeDeploymentStatus, type DeploymentRow } from './record';
import { type Endpoint, type LifecycleDeps, routeTo, type ServingContainer } from './routes';

export type { ServingContainer } from './routes';

/**
 * 'outdated': a newer deployment went live meanwhile (this one is superseded); 'stopped': it was
 * cancelled or given up on while its container started; 'app-deleted': nothing is left to serve.
 * With 'live', `previous` is the deployment it replaced, whose containers the caller drains.
 */
export type GoLiveResult =
  | { outcome: 'live'; previous: DeploymentRow | null }
  | { outcome: 'outdated' | 'stopped' | 'app-deleted' };

export async function goLive(
  deps: LifecycleDeps,
  activation: {
    appId: string;
    appName: string;
    deploymentId: string;
    /** The replica the deployments row records (the first); `replicas` are the others beside it. */
    container: ServingContainer;
    replicas?: readonly ServingContainer[];
  },
): Promise<GoLiveResult> {
  const { container } = activation;
  const serving = [container, ...(activation.replicas ?? [])];
  return deps.db.transaction(async (tx): Promise<GoLiveResult> => {
    const [app] = await tx.select().from(apps).where(eq(apps.id, activation.appId)).for('update');
    if (!app) return { outcome: 'app-deleted' };
    const [candidate] = await tx
      .select()
      .from(deployments)
      .where(eq(deployments.id, activation.deploymentId))
      .for('update');
    if (!candidate) return { outcome: 'app-deleted' };
    if (candidate.status !== 'deploying') return { outcome: 'stopped' };
    const [previous] = app.liveDeploymentId
      ? await tx.select().from(deployments).where(eq(deployments.id, app.liveDeploymentId))
      : [];
    // A newer deployment went live while this one was building: this one never serves.
    if (previous && previous.id !== candidate.id && previous.createdAt > candidate.createdAt) {
      await changeDeploymentStatus(tx, {
        deploymentId: candidate.id,
        to: 'superseded',
        set: { finishedAt: sql`now()` },
        by: builder,
        reason: 'A newer version went live while this one was starting.',
      });
      return { outcome: 'outdated' };
    }
    await changeDeploymentStatus(tx, {
      deploymentId: candidate.id,
      to: 'running',
      set: {
        containerId: container.id,
        // The endpoint's port (the host's loopback port on one host; the route has the address).
        hostPort: container.endpoint.port,
        heartbeatAt: sql`now()`,
        finishedAt: sql`now()`,
        errorMessage: null,
      },
      by: builder,
      reason: 'Its container answered its health check and went live.',
    });
    const replaced = previous && previous.id !== candidate.id ? previous : null;
    if (replaced) {
      await changeDeploymentStatus(tx, {
        deploymentId: replaced.id,
        to: 'superseded',
        by: builder,
        reason: 'A newer version went live.',
      });
    }
    await changeAppStatus(tx, {
      appId: app.id,
      to: 'running',
      set: {
        liveDeploymentId: candidate.id,
        statusMessage: null,
        crashCount: 0,
        replicaCount: serving.length,
      },
      deploymentId: candidate.id,
      by: builder,
      reason:
        candidate.trigger === 'rollback' ? 'An earlier version is live again.' : 'A new version is live.',
    });
    await routeTo(deps, { id: activation.appId, name: activation.appName }, 'running', serving);
    return { outcome: 'live', previous: replaced };
  });
}

/**
 * The live deployment now runs in `container`: the route moves to it and the app reads running.
 * 'reset' forgets the crashes (a fresh start asked for); 'keep' counts on, so a recovery backs off.
 * False when the app has another live deployment (or none) meanwhile: nothing was changed.
 */
export async function switchContainer(
  deps: LifecycleDeps,
  change: {
    app: { id: string; name: string };
    liveDeploymentId: string;
    container: ServingContainer;
    /** The replicas beside `container` (a swap replaces them all; a wake brings back the first). */
    replicas?: readonly ServingContainer[];
    crashCount: 'reset' | 'keep';
    by?: Actor;
    reason: string;
  },
): Promise<boolean> {
  const { app, liveDeploymentId, container } = change;
  return deps.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ liveDeploymentId: apps.liveDeploymentId })
      .from(apps)
      .where(eq(apps.id, app.id))
      .for('update');
    if (current?.liveDeploymentId !== liveDeploymentId) return false;
    // A visitor may wait on this route (a wake): it goes first, the rows follow in the same transaction.
    await routeTo(deps, app, 'running', [container, ...(change.replicas ?? [])]);
    await recordLiveContainer(tx, { deploymentId: liveDeploymentId, ...container });
    const result = await changeAppStatus(tx, {
      appId: app.id,
      to: 'running',
      where: eq(apps.liveDeploymentId, liveDeploymentId),
      set: { statusMessage: null, ...(change.crashCount === 'reset' ? { crashCount: 0 } : {}) },
      deploymentId: liveDeploymentId,
      by: change.by ?? builder,
      reason: change.reason,
    });
    return result.isChanged;
  });
}

/** Which container serves the live deployment (the reconciler records one it finds running). */
export async function recordLiveContainer(
  db: Pick<Database, 'update'>,
  live: { deploymentId: string; id: string; endpoint: Endpoint },
): Promise<void> {
  const { deploymentId, id, endpoint } = live;
  await db
    .update(deployments)
    .set({ containerId: id, hostPort: endpoint.port })
    .where(eq(deployments.id, deploymentId));
}
