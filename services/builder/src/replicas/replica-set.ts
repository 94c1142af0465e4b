// Starting and stopping single replicas of an app's live deployment beside the ones that serve
// (the scaler's and the reconciler's steps; a whole new set is the swap's, deploy/swap.ts). A new
// replica joins the route once it answers its health check; a leaving one leaves the route first.
import { randomBytes } from 'node:crypto';
import type { Actor } from '@cove/shared/lifecycle/record';
import { routeReplicas, setReplicaCount } from '@cove/shared/lifecycle/replicas';
import { replicaIdOf } from '@cove/shared/lifecycle/routes';
import type { BuilderContext } from '../context';
import { startHealthyContainer } from '../deploy/container';
import { deploymentImageId } from '../deploy/deployment-image';
import { readLiveDeployment } from '../deploy/live-deployment';
import { servingOf } from '../deploy/swap';
import { DeployFailure } from '../failure';
import { type ContainerInfo, labelKeys } from '../runtime/types';

/** Seconds a leaving replica gets to finish what it is doing. */
const drainSeconds = 5;

/** The live deployment's running replicas, the one its row records first. */
async function runningReplicas(
  context: BuilderContext,
  live: { id: string; containerId: string | null },
): Promise<ContainerInfo[]> {
  const containers = await context.runtime.list({
    [labelKeys.instance]: context.config.COVE_INSTANCE,
    [labelKeys.deploymentId]: live.id,
  });
  return containers
    .filter((container) => container.state === 'running' && container.endpoint !== null)
    .sort((a, b) => Number(b.id === live.containerId) - Number(a.id === live.containerId));
}

/** Starts replicas of the running app until `total` run; how many joined. */
export async function startMoreReplicas(
  context: BuilderContext,
  appId: string,
  total: number,
  by: Actor,
): Promise<number> {
  const row = await readLiveDeployment(context.db, appId);
  if (row?.app.status !== 'running') return 0;
  const { app, live } = row;
  const count = total - (await runningReplicas(context, live)).length;
  if (count <= 0) return 0;
  const imageId = await deploymentImageId(context, live);
  if (imageId === null) return 0;
  const target = { appId: app.id, appName: app.name, deploymentId: live.id, imageId };
  const started = await Promise.allSettled(
    Array.from({ length: count }, () =>
      startHealthyContainer(context, target, undefined, { nameSuffix: randomBytes(3).toString('hex') }),
    ),
  );
  for (const result of started) {
    if (result.status === 'rejected' && !(result.reason instanceof DeployFailure)) throw result.reason;
    if (result.status === 'rejected') {
      context.logger.info({ appId, err: result.reason }, 'a further replica did not start');
    }
  }
  const joined = started.filter((result) => result.status === 'fulfilled').length;
  if (joined === 0) return 0;
  const serving = (await runningReplicas(context, live)).map(servingOf);
  const isRouted = await routeReplicas(context, { app, liveDeploymentId: live.id, serving, by });
  if (!isRouted) {
    // The app moved on meanwhile (asleep, another version): the new ones serve nobody.
    for (const result of started)
      if (result.status === 'fulfilled') await context.runtime.remove(result.value.id);
    return 0;
  }
  return joined;
}

/**
 * Stops the replica `replicaId` (never the recorded one) and lowers the count to `count`: the route
 * lets go of it first, then it drains. False when the app or the replica is no longer there.
 */
export async function stopReplica(
  context: BuilderContext,
  change: { appId: string; replicaId: string; count: number; by: Actor; reason: string },
): Promise<boolean> {
  const row = await readLiveDeployment(context.db, change.appId);
  if (row?.app.status !== 'running') return false;
  const { app, live } = row;
  const running = await runningReplicas(context, live);
  const leaving = running.find(
    (container) => replicaIdOf(container.id) === change.replicaId && container.id !== live.containerId,
  );
  if (!leaving) return false;
  const staying = running.filter((container) => container !== leaving).map(servingOf);
  const liveDeploymentId = live.id;
  const isCounted = await setReplicaCount(context, {
    app,
    liveDeploymentId,
    count: change.count,
    by: change.by,
    reason: change.reason,
  });
  if (!isCounted) return false;
  if (!(await routeReplicas(context, { app, liveDeploymentId, serving: staying, by: change.by })))
    return false;
  await context.runtime.stop(leaving.id, drainSeconds);
  await context.runtime.remove(leaving.id);
  return true;
}
