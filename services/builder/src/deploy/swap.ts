// The one health-checked swap, whatever asks for it (a deploy, a rollback, a reboot, new secrets or
// limits, a recovery, a wake whose container is gone): start a container of the image beside what
// serves, wait until it answers, let lifecycle switch the rows and the route to it, then drain the
// containers it replaces. Until the switch commits, what served keeps serving; a container that
// does not come up is removed and its DeployFailure thrown, for the caller to say why.
import { randomBytes } from 'node:crypto';
import { goLive, switchContainer } from '@cove/shared/lifecycle/go-live';
import type { Actor } from '@cove/shared/lifecycle/record';
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

export async function swapIn(
  context: BuilderContext,
  target: DeploymentTarget,
  swap: SwapKind,
  hooks: SwapHooks = {},
): Promise<SwapOutcome> {
  const { runtime, config } = context;
  // A fresh container starts beside the one it replaces, so it needs a name of its own.
  const nameSuffix = swap.kind === 'fresh-container' ? randomBytes(3).toString('hex') : undefined;
  const container = await startHealthyContainer(
    context,
    target,
    hooks.onProgress,
    nameSuffix ? { nameSuffix } : {},
  );
  const hostPort = container.hostPort;
  if (hostPort === null) throw new Error('A container to swap in must have a published port');
  try {
    await hooks.onHealthy?.(container);
  } catch (error) {
    await runtime.remove(container.id);
    throw error;
  }
  const app = { id: target.appId, name: target.appName };
  const serving = { id: container.id, hostPort };
  let outcome: SwapOutcome;
  let replaced: string | null = null;
  if (swap.kind === 'new-deployment') {
    const result = await goLive(context, {
      appId: app.id,
      appName: app.name,
      deploymentId: target.deploymentId,
      container: serving,
    });
    outcome = result.outcome;
    if (result.outcome === 'live') replaced = result.previous?.id ?? null;
  } else {
    const isSwitched = await switchContainer(context, {
      app,
      liveDeploymentId: target.deploymentId,
      container: serving,
      crashCount: swap.crashCount,
      ...(swap.by ? { by: swap.by } : {}),
      reason: swap.reason,
    });
    outcome = isSwitched ? 'live' : 'not-live';
    if (isSwitched) replaced = target.deploymentId;
  }
  if (outcome !== 'live') {
    await runtime.remove(container.id);
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
    for (const old of previous) {
      if (old.id === container.id) continue;
      await runtime.stop(old.id, drainSeconds);
      await runtime.remove(old.id);
    }
  }
  return 'live';
}
