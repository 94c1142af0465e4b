// Watches a running build and stops it (through one AbortSignal handed to the clone, the image
// build and the deploy) when it was cancelled, when a newer deployment of the app was queued, or
// when it reached the build time limit. Each tick also refreshes the heartbeat and the app's lock.
import type { BuilderContext } from '../context';
import { shortSha } from '../failure';
import type { AppBuildLock } from './app-lock';
import { type Deployment, findNewerDeployment, refreshHeartbeat } from './deployment-state';

export type StopReason =
  | { kind: 'cancelled' }
  | { kind: 'superseded'; message: string }
  | { kind: 'timed-out'; message: string };

/** The abort reason of a build's signal: why the build stopped early. */
export class BuildStopped extends Error {
  override readonly name = 'BuildStopped';
  constructor(readonly reason: StopReason) {
    super(reason.kind === 'cancelled' ? 'The build was cancelled.' : reason.message);
  }
}

export function stopReasonOf(signal: AbortSignal): StopReason | null {
  return signal.aborted && signal.reason instanceof BuildStopped ? signal.reason.reason : null;
}

export function describeDuration(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

export function timeLimitMessage(seconds: number): string {
  return `The build took longer than ${describeDuration(seconds)} and was stopped.`;
}

/** Words for the deployment that replaced another: "push (abc1234)", "rollback", "deployment". */
function describeNewer(newer: Pick<Deployment, 'trigger' | 'commitSha'>): string {
  const noun = newer.trigger === 'push' || newer.trigger === 'rollback' ? newer.trigger : 'deployment';
  return newer.commitSha ? `${noun} (${shortSha(newer.commitSha)})` : noun;
}

export function supersededMessage(
  newer: Pick<Deployment, 'trigger' | 'commitSha'>,
  phase: 'queued' | 'building',
): string {
  return phase === 'queued'
    ? `A newer ${describeNewer(newer)} replaced this one before it was built.`
    : `A newer ${describeNewer(newer)} replaced this one while it was being built; its build was stopped.`;
}

export interface BuildWatch {
  readonly signal: AbortSignal;
  stop(): void;
}

const tickMs = 1000;

export function watchBuild(context: BuilderContext, deployment: Deployment, lock: AppBuildLock): BuildWatch {
  const { config, db, logger } = context;
  const controller = new AbortController();
  const stopWith = (reason: StopReason) => {
    if (!controller.signal.aborted) controller.abort(new BuildStopped(reason));
  };
  const limitSeconds = config.COVE_BUILD_TIMEOUT_SECONDS;
  const timer = setTimeout(
    () => stopWith({ kind: 'timed-out', message: timeLimitMessage(limitSeconds) }),
    limitSeconds * 1000,
  );

  let isTicking = false;
  const tick = async () => {
    const isStillOurs = await refreshHeartbeat(db, deployment.id);
    if (!(await lock.extend())) logger.warn({ deploymentId: deployment.id }, 'the app build lock lapsed');
    if (!isStillOurs) return stopWith({ kind: 'cancelled' });
    const newer = await findNewerDeployment(db, deployment);
    if (newer) stopWith({ kind: 'superseded', message: supersededMessage(newer, 'building') });
  };
  const interval = setInterval(() => {
    if (isTicking || controller.signal.aborted) return;
    isTicking = true;
    tick()
      .catch((error: unknown) =>
        logger.warn({ err: error, deploymentId: deployment.id }, 'could not check on the build'),
      )
      .finally(() => {
        isTicking = false;
      });
  }, tickMs);

  return {
    signal: controller.signal,
    stop() {
      clearTimeout(timer);
      clearInterval(interval);
    },
  };
}
