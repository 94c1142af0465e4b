// The BullMQ side of the builder: a worker for build jobs and one for app operations (reboot,
// reconcile now, apply new secrets). The author's mistakes fail a job for good; anything else is retried.
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import { markRetrying } from '@cove/shared/lifecycle/deployments';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { runBuild } from './builds/run-build';
import type { BuilderContext } from './context';
import { restartLiveDeployment } from './deploy/restart';
import { swapLiveContainer } from './deploy/swap-live-container';
import { DeployFailure } from './failure';
import type { Reconciler } from './reconciler/loop';
import { putAppToSleep } from './sleep/put-to-sleep';
import { wakeApp } from './sleep/wake';

export interface BuilderWorkers {
  /** Resolves once both workers are connected to Redis. */
  ready(): Promise<void>;
  /** Waits up to deadlineMs for running jobs, then hands unfinished builds back to the queue. */
  close(deadlineMs: number): Promise<void>;
}

/** How soon a build whose app is already building asks for the app's lock again. */
const busyRetryMs = 1000;

function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export function startWorkers(
  context: BuilderContext,
  connection: Redis,
  reconciler: Reconciler,
): BuilderWorkers {
  const { config, logger } = context;
  const prefix = queuePrefix(config.COVE_INSTANCE);
  const activeBuilds = new Set<string>();

  const builds = new Worker(
    jobs.build.queue,
    async (job, token) => {
      const { deploymentId } = jobs.build.payload.parse(job.data);
      activeBuilds.add(deploymentId);
      try {
        const outcome = await runBuild(context, deploymentId, { isLastAttempt: isLastAttempt(job) });
        if (outcome === 'busy') {
          // Another build of the app holds its lock: wait, without spending an attempt.
          await job.moveToDelayed(Date.now() + busyRetryMs, token);
          throw new DelayedError();
        }
        logger.info({ deploymentId, outcome }, 'build finished');
        return outcome;
      } catch (error) {
        if (error instanceof DeployFailure && error.isPermanent) throw new UnrecoverableError(error.message);
        throw error;
      } finally {
        activeBuilds.delete(deploymentId);
      }
    },
    { connection, prefix, concurrency: config.COVE_BUILD_CONCURRENCY },
  );

  const operations = new Worker(
    jobs.appOperation.queue,
    async (job) => {
      const { appId, operation, depth } = jobs.appOperation.payload.parse(job.data);
      switch (operation) {
        // Between reconcile passes, so a pass never restarts the container a reboot is replacing.
        case 'reboot':
          return reconciler.exclusive(() => restartLiveDeployment(context, appId, 'reboot'));
        case 'reconcile':
          await reconciler.runNow();
          return 'reconciled';
        case 'apply-secrets':
          return reconciler.exclusive(() => swapLiveContainer(context, appId, 'secrets'));
        case 'apply-resources':
          return reconciler.exclusive(() => swapLiveContainer(context, appId, 'resources'));
        // Likewise: a pass never sees an app half asleep or half awake.
        case 'sleep':
          return reconciler.exclusive(() => putAppToSleep(context, appId, depth ?? 'stopped'));
        case 'wake':
          return reconciler.exclusive(() => wakeApp(context, appId));
        default: {
          const unknown: never = operation;
          throw new Error(`Unknown app operation ${String(unknown)}`);
        }
      }
    },
    { connection, prefix, concurrency: 2 },
  );

  for (const worker of [builds, operations]) {
    worker.on('failed', (job, error) => {
      const level = error instanceof UnrecoverableError ? 'info' : 'warn';
      logger[level]({ jobId: job?.id, queue: worker.name, reason: error.message }, 'job failed');
    });
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
  }

  return {
    async ready() {
      // Both workers connected (BullMQ's connection set-up rejects, unhandled, if closed midway).
      await Promise.all([builds.waitUntilReady(), operations.waitUntilReady()]);
    },
    async close(deadlineMs) {
      const closing = Promise.all([builds.close(), operations.close()]);
      let timer: NodeJS.Timeout | undefined;
      const isClosed = await Promise.race([
        closing.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      if (isClosed) return;
      // Builds still running go back to 'queued': BullMQ hands their jobs to another worker once
      // their locks lapse, and the reconciler does not mistake them for dead ones.
      for (const deploymentId of activeBuilds) {
        await markRetrying(context.db, deploymentId, 'The builder stopped; another builder takes the build.');
      }
      await Promise.all([builds.close(true), operations.close(true)]);
    },
  };
}
