// The one health-checked swap, whatever asks for it (a deploy, a rollback, a reboot, new secrets or
// limits, a recovery, a wake whose container is gone): start the app's replicas of the image beside
// what serves, wait until every one answers, let lifecycle switch the rows and the route to them,
// then drain the containers they replace. Until the switch commits, what served keeps serving; if
// one replica does not come up, all the new ones are removed and its DeployFailure thrown.
import { randomBytes } from 'node:crypto';
import { schema } from '@cove/shared/db/client';
import { goLive, type ServingContainer, switchContainer } from '@cove/shared/lifecycle/go-live';
import type { Actor } from '@cove/shared/lifecycle/record';
import { eq } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { type ContainerInfo, labelKeys } from '../runtime/types';
import { type DeploymentTarget, startHealthyContainer } from './container';

/** Seconds a replaced container gets to finish what it is doing before it is stopped. */
const drainSeconds = 5;

/**
 * 'new-deployment': a deployment's first container, which makes it the live one (deploy, rollback).
 * 'fresh-container': another container of the live deployment; 'reset' forgets the crashes.
 */
export type SwapKind =
  | { kind: 'new-deployment' }
  | { kind: 'fresh-container'; crashCount: 'reset' | 'keep'; by?: Actor; reason: string };

/** 'outdated', 'stopped', 'app-deleted': see GoLiveResult; 'not-live': another deployment is live now. */
export type SwapOutcome = 'live' | 'outdated' | 'stopped' | 'app-deleted' | 'not-live';

export interface SwapHooks {
  onProgress?: (line: string) => void;
  /** The new container answers; thrown from here, the container is removed and nothing switches. */
  onHealthy?: (container: ContainerInfo) => void | Promise<void>;
}

/** How many replicas the app runs awake: the scaler's count, within the app's minimum and maximum. */
export async function readReplicaCount(context: BuilderContext, appId: string): Promise<number> {
  const [row] = await context.db
    .select({
      replicaCount: schema.apps.replicaCount,
      minReplicas: schema.apps.minReplicas,
      maxReplicas: schema.apps.maxReplicas,
    })
    .from(schema.apps)
    .where(eq(schema.apps.id, appId));
  if (!row) return 1;
  return Math.max(1, row.minReplicas, Math.min(row.replicaCount, row.maxReplicas));
}

export function servingOf(container: ContainerInfo): ServingContainer {
  if (container.endpoint === null) {
    throw new Error('A container to swap in must have an endpoint the proxy can reach');
  }
  return { id: container.id, endpoint: container.endpoint, node: container.node };
}

/** Starts `count` healthy replicas side by side; if one fails, the others are removed too. */
async function startReplicas(
  context: BuilderContext,
  target: DeploymentTarget,
  swap: SwapKind,
  count: number,
  onProgress: SwapHooks['onProgress'],
): Promise<ContainerInfo[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, index) => {
      // A fresh container starts beside the one it replaces, and further replicas beside the
      // first: each needs a name of its own.
      const hasOwnName = swap.kind === 'new-deployment' && index === 0;
      const options = hasOwnName ? {} : { nameSuffix: randomBytes(3).toString('hex') };
      return startHealthyContainer(context, target, index === 0 ? onProgress : undefined, options);
    }),
  );
  const healthy = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    for (const container of healthy) await context.runtime.remove(container.id);
    throw failure.reason;
  }
  return healthy;
}

export async function swapIn(
  context: BuilderContext,
  target: DeploymentTarget,
  swap: SwapKind,
  hooks: SwapHooks = {},
): Promise<SwapOutcome> {
  const { runtime, config } = context;
  const count = await readReplicaCount(context, target.appId);
  const containers = await startReplicas(context, target, swap, count, hooks.onProgress);
  const [container] = containers;
  if (!container) throw new Error('a swap starts at least one replica');
  const removeStarted = async () => {
    for (const started of containers) await runtime.remove(started.id);
  };
  try {
    await hooks.onHealthy?.(container);
  } catch (error) {
    await removeStarted();
    throw error;
  }
  const app = { id: target.appId, name: target.appName };
  const [serving, ...replicas] = containers.map(servingOf);
  if (!serving) throw new Error('a swap starts at least one replica');
  const newIds = new Set(containers.map((started) => started.id));
  let outcome: SwapOutcome;
  let replaced: string | null = null;
  if (swap.kind === 'new-deployment') {
    const result = await goLive(context, {
      appId: app.id,
      appName: app.name,
      deploymentId: target.deploymentId,
      container: serving,
      replicas,
    });
    outcome = result.outcome;
    if (result.outcome === 'live') replaced = result.previous?.id ?? null;
  } else {
    const isSwitched = await switchContainer(context, {
      app,
      liveDeploymentId: target.deploymentId,
      container: serving,
      replicas,
      crashCount: swap.crashCount,
      ...(swap.by ? { by: swap.by } : {}),
      reason: swap.reason,
    });
    outcome = isSwitched ? 'live' : 'not-live';
    if (isSwitched) replaced = target.deploymentId;
  }
  if (outcome !== 'live') {
    await removeStarted();
    return outcome;
  }
  // Only now, with the route on the new container, are the old ones' open tabs closed, with a close
  // frame saying the service restarts (Streamlit's own when stopped, else the proxy's): they
  // reconnect to the new one.
  if (replaced !== null) {
    const previous = await runtime.list({
      [labelKeys.instance]: config.COVE_INSTANCE,
      [labelKeys.deploymentId]: replaced,
    });
    await Promise.all(
      previous
        .filter((old) => !newIds.has(old.id))
        .map(async (old) => {
          await runtime.stop(old.id, drainSeconds);
          await runtime.remove(old.id);
        }),
    );
  }
  return 'live';
}
