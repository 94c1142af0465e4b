// The swap at the end of a deploy or rollback: once the new container is healthy, lifecycle's
// goLive makes it the app's live deployment and points the route at it in one transaction; then
// the previous version's containers are drained. Until that commit, the previous version serves.
import { goLive } from '@cove/shared/lifecycle/go-live';
import type { BuilderContext } from '../context';
import { type ContainerInfo, labelKeys } from '../runtime/types';

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
  const { runtime, config } = context;
  const hostPort = activation.container.hostPort;
  if (hostPort === null) throw new Error('A container to activate must have a published port');

  const result = await goLive(context, {
    ...activation,
    container: { id: activation.container.id, hostPort },
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
