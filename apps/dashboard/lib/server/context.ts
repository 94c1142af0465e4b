// The dashboard's process-wide resources (config, Postgres pool, Redis, job queues), created on the
// first request rather than at import, so `next build` needs no COVE_* variable.
import type { AppsDeps } from '@cove/shared/apps/deps';
import { parseConfig } from '@cove/shared/config/load';
import { type DashboardConfig, dashboardConfigSchema } from '@cove/shared/config/schemas';
import { connectDatabase, type DatabaseHandle } from '@cove/shared/db/client';
import { type JobQueues, openJobQueues } from '@cove/shared/jobs/queues';
import { createLogger, type Logger } from '@cove/shared/logs/logger';
import { Redis } from 'ioredis';

export interface ServerContext extends AppsDeps {
  config: DashboardConfig;
  logger: Logger;
  queues: JobQueues;
  close(): Promise<void>;
}

let current: ServerContext | undefined;

function open(): ServerContext {
  const config = parseConfig(dashboardConfigSchema, process.env);
  const database: DatabaseHandle = connectDatabase(config.COVE_DATABASE_URL);
  const redis = new Redis(config.COVE_REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', () => {});
  const queues = openJobQueues(redis, config.COVE_INSTANCE);
  return {
    config,
    db: database.db,
    redis,
    queues,
    logger: createLogger('dashboard', config.COVE_LOG_LEVEL),
    async close() {
      await queues.close();
      redis.disconnect();
      await database.close();
    },
  };
}

/** Throws ConfigError (naming the variable) when the environment is incomplete. */
export function serverContext(): ServerContext {
  current ??= open();
  return current;
}

/** For tests and shutdown: releases the connections; the next request opens new ones. */
export async function closeServerContext(): Promise<void> {
  const closing = current;
  current = undefined;
  await closing?.close();
}
