// The reconciler's loop: read desired state, observe the engine, decide, apply. Runs once at start,
// then every interval; passes never overlap, and runNow() asks for one straight away.
import { syncPrivateApps } from '@cove/shared/access/private-apps-sync';
import type { JobQueues } from '@cove/shared/jobs/queues';
import { readAllRoutes } from '@cove/shared/routing/route-table';
import { syncNameRedirects } from '@cove/shared/routing/sync-name-redirects';
import type { BuilderContext } from '../context';
import { pruneSecretsFiles, secretsMasker } from '../deploy/secrets-file';
import { applyActions } from './apply';
import { type DesiredApp, decide, type ObservedContainer } from './decide';
import { observeContainers, readDesiredApps, readUnfinishedDeployments } from './observe';
import { pruneDeletedApps } from './prune-deleted-apps';
import { prunePastRetentionHourly } from './prune-retention';
import { requeueLostBuilds } from './requeue-lost-builds';

export interface Reconciler {
  runNow(): Promise<void>;
  /** Runs work between passes (none starts until it ends), for changes a pass must not see half-done. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Run at the end of every pass with what it read (the sleep pass): given by the builder, so the
 * reconciler knows nothing of what is built on top of it.
 */
export type FollowingPass = (
  context: BuilderContext,
  apps: readonly DesiredApp[],
  containers: readonly ObservedContainer[],
) => Promise<void>;

const crashBackoffSeconds = 5;
const crashBackoffMaxSeconds = 300;

export async function reconcileOnce(
  context: BuilderContext,
  queues: JobQueues,
  following: readonly FollowingPass[] = [],
): Promise<void> {
  const { config, db, redis, runtime } = context;
  // Postgres first: a container that appears after this read belongs to a build already recorded.
  const apps = await readDesiredApps(db);
  const unfinished = await readUnfinishedDeployments(db);
  const containers = await observeContainers(runtime, config.COVE_INSTANCE);
  const routes = await readAllRoutes(redis, config.COVE_INSTANCE);
  const actions = decide({
    apps,
    unfinished,
    containers,
    routes,
    now: new Date(),
    thresholds: {
      buildStaleSeconds: config.COVE_BUILD_STALE_SECONDS,
      crashBackoffSeconds,
      crashBackoffMaxSeconds,
    },
  });
  await applyActions(context, actions);
  await requeueLostBuilds(context, queues);
  // Old names of renamed apps: rewritten from Postgres if Redis lost them, dropped once expired.
  const redirects = await syncNameRedirects(db, redis, config.COVE_INSTANCE);
  if (redirects.write.length + redirects.remove.length > 0) {
    context.logger.info(
      { written: redirects.write.map((entry) => entry.oldName), removed: redirects.remove },
      'reconciled old-name redirects',
    );
  }
  // Which apps the proxy gates: rewritten from Postgres if Redis lost (or missed) a change.
  const visibility = await syncPrivateApps(db, redis, config.COVE_INSTANCE);
  if (visibility.added.length + visibility.removed.length > 0) {
    context.logger.warn(visibility, "reconciled the proxy's set of private apps");
  }
  const knownAppIds = new Set(apps.map((app) => app.id));
  await pruneSecretsFiles(context, knownAppIds);
  await pruneDeletedApps(context, knownAppIds);
  await prunePastRetentionHourly(context);
  for (const pass of following) await pass(context, apps, containers);

  // Keep the runtime log of every live container (again after a builder restart).
  const nowSeconds = Math.floor(Date.now() / 1000);
  for (const app of apps) {
    const live = app.live;
    if (live === null) continue;
    const unfollowed = containers.filter(
      (container) =>
        container.deploymentId === live.deploymentId &&
        container.state === 'running' &&
        !context.runtimeLogs.isFollowing(container.id),
    );
    if (unfollowed.length === 0) continue;
    try {
      const mask = await secretsMasker(context, app.id);
      for (const running of unfollowed) {
        context.runtimeLogs.follow(running.id, live.deploymentId, nowSeconds, mask);
      }
    } catch (error) {
      // Never follow unmasked: the next pass tries again.
      context.logger.warn({ err: error, appId: app.id }, "could not read the app's secrets to mask its log");
    }
  }
}

export function startReconciler(
  context: BuilderContext,
  queues: JobQueues,
  following: readonly FollowingPass[] = [],
): Reconciler {
  let current: Promise<void> = Promise.resolve();
  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;

  const pass = (): Promise<void> => {
    current = current
      .then(() => (isStopped ? undefined : reconcileOnce(context, queues, following)))
      .catch((error: unknown) => context.logger.error({ err: error }, 'reconcile pass failed'));
    return current;
  };
  const schedule = () => {
    if (isStopped) return;
    timer = setTimeout(
      () => void pass().then(schedule),
      context.config.COVE_RECONCILE_INTERVAL_SECONDS * 1000,
    );
  };
  void pass().then(schedule);

  return {
    runNow: pass,
    exclusive<T>(work: () => Promise<T>): Promise<T> {
      const result = current.then(work);
      current = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
