// Wires the builder together: database, Redis, the container runtime, the reconciler loop and the
// job workers, with one stop() that drains them within a bound.

import { mkdir } from 'node:fs/promises';
import type { BuilderConfig } from '@cove/shared/config/schemas';
import { connectDatabase } from '@cove/shared/db/client';
import { openJobQueues } from '@cove/shared/jobs/queues';
import type { Logger } from '@cove/shared/logs/logger';
import { certificateManagerFromConfig } from '@cove/shared/tls/from-config';
import { Redis } from 'ioredis';
import type { BuilderContext } from './context';
import { startOomWatch } from './deploy/oom-watch';
import { RuntimeLogFollowers } from './deploy/runtime-logs';
import { startInsightsLoop } from './insights/insights-loop';
import { startAppFirewall } from './network/firewall';
import { startReconciler } from './reconciler/loop';
import { startBackupSchedule } from './reconciler/scheduled-backup';
import { scaleReplicas } from './replicas/scale-pass';
import { createConfiguredRuntime } from './runtime/configured';
import { sleepIdleApps } from './sleep/sleep-pass';
import { startWorkers } from './worker';

export interface RunningBuilder {
  stop(): Promise<void>;
}

export interface StopOptions {
  /** How long running jobs get to finish before they are handed back to the queue. */
  drainMs?: number;
}

export async function startBuilder(
  config: BuilderConfig,
  logger: Logger,
  options: StopOptions = {},
): Promise<RunningBuilder> {
  await mkdir(config.COVE_WORK_DIR, { recursive: true });
  const runtime = createConfiguredRuntime(config);
  // Before anything can start an app: no app runs unfenced.
  const firewall = await startAppFirewall(config, runtime, logger);
  const database = connectDatabase(config.COVE_DATABASE_URL);
  const redis = new Redis(config.COVE_REDIS_URL, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(config.COVE_REDIS_URL, { maxRetriesPerRequest: null });
  const runtimeLogs = new RuntimeLogFollowers(runtime, database.db, redis, config.COVE_INSTANCE, logger);
  const context: BuilderContext = { config, db: database.db, redis, runtime, logger, runtimeLogs };

  // The reconciler puts back build jobs Redis lost (reconciler/requeue-lost-builds.ts).
  const queues = openJobQueues(redis, config.COVE_INSTANCE);
  // Each pass ends with the sleep pass, over what the pass read, and a backup when one is due.
  const backups = startBackupSchedule(context);
  const reconciler = startReconciler(context, queues, [sleepIdleApps, scaleReplicas, backups.pass]);
  const oomWatch = startOomWatch(context);
  const insights = startInsightsLoop(context);
  const workers = startWorkers(context, workerConnection, reconciler);
  // Certificates for the proxy's HTTPS, when an ACME CA is configured.
  const certificates = certificateManagerFromConfig(config, { db: database.db, redis, logger });
  certificates?.start();
  await workers.ready();
  logger.info(
    { instance: config.COVE_INSTANCE, concurrency: config.COVE_BUILD_CONCURRENCY },
    'builder started',
  );

  return {
    async stop() {
      await workers.close(options.drainMs ?? 30_000);
      await reconciler.stop();
      await backups.stop();
      await certificates?.stop();
      await queues.close();
      await oomWatch.stop();
      await insights.stop();
      await runtimeLogs.stopAll();
      firewall.stop();
      workerConnection.disconnect();
      await redis.quit();
      await database.close();
      logger.info('builder stopped');
    },
  };
}
