// The swap: once the new container is healthy, make it the app's live deployment in one
// transaction that also points the route at it, then stop and remove the previous version's container. Until
// the transaction commits, the previous version stays live and serving.
import { schema } from '@cove/shared/db/client';
import { writeRoute } from '@cove/shared/routing/route-table';
import { eq, sql } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { type ContainerInfo, labelKeys } from '../runtime/types';

const { apps, deployments } = schema;

/** 'stopped': the deployment was cancelled (or given up on) while its container started. */
export type ActivationOutcome = 'live' | 'outdated' | 'stopped' | 'app-deleted';

export interface Activation {
  appId: string;
  appName: string;
  deploymentId: string;
  container: ContainerInfo;
}

/** Seconds an old container gets to finish what it is doing before it is stopped. */
const drainSeconds = 5;

export async function activateDeployment(
  context: BuilderContext,
  activation: Activation,
): Promise<ActivationOutcome> {
  const { db, redis, runtime, config } = context;
  const hostPort = activation.container.hostPort;
  if (hostPort === null) throw new Error('A container to activate must have a published port');

  const result = await db.transaction(async (tx) => {
    const [app] = await tx.select().from(apps).where(eq(apps.id, activation.appId)).for('update');
    if (!app) return { outcome: 'app-deleted' as const, previous: null };
    const [candidate] = await tx
      .select()
      .from(deployments)
      .where(eq(deployments.id, activation.deploymentId))
      .for('update');
    if (!candidate) return { outcome: 'app-deleted' as const, previous: null };
    if (candidate.status !== 'deploying') return { outcome: 'stopped' as const, previous: null };
    const [previous] = app.liveDeploymentId
      ? await tx.select().from(deployments).where(eq(deployments.id, app.liveDeploymentId))
      : [];
    // A newer deployment went live while this one was building: this one never serves.
    if (previous && previous.id !== candidate.id && previous.createdAt > candidate.createdAt) {
      await tx
        .update(deployments)
        .set({ status: 'superseded', finishedAt: sql`now()` })
        .where(eq(deployments.id, candidate.id));
      return { outcome: 'outdated' as const, previous: null };
    }
    await tx
      .update(deployments)
      .set({
        status: 'running',
        containerId: activation.container.id,
        hostPort,
        heartbeatAt: sql`now()`,
        finishedAt: sql`now()`,
        errorMessage: null,
      })
      .where(eq(deployments.id, candidate.id));
    if (previous && previous.id !== candidate.id) {
      await tx.update(deployments).set({ status: 'superseded' }).where(eq(deployments.id, previous.id));
    }
    await tx
      .update(apps)
      .set({
        liveDeploymentId: candidate.id,
        status: 'running',
        statusMessage: null,
        crashCount: 0,
        updatedAt: sql`now()`,
      })
      .where(eq(apps.id, app.id));
    // Switch the route before the commit makes the app read as running, so nobody who sees
    // "running" reaches the old route. Should the commit fail, the reconciler rewrites the route.
    await writeRoute(redis, config.COVE_INSTANCE, {
      appId: activation.appId,
      appName: activation.appName,
      status: 'running',
      upstream: { host: '127.0.0.1', port: hostPort },
    });
    return { outcome: 'live' as const, previous: previous && previous.id !== candidate.id ? previous : null };
  });

  if (result.outcome !== 'live') {
    await runtime.remove(activation.container.id);
    return result.outcome;
  }

  if (result.previous) {
    const leftovers = await runtime.list({
      [labelKeys.instance]: config.COVE_INSTANCE,
      [labelKeys.deploymentId]: result.previous.id,
    });
    for (const container of leftovers) {
      await runtime.stop(container.id, drainSeconds);
      await runtime.remove(container.id);
    }
  }
  return 'live';
}
