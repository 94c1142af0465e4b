// What the apps domain needs from its host process, passed in explicitly.
import type { Redis } from 'ioredis';
import type { CommonConfig } from '../config/schemas';
import type { Database } from '../db/client';
import type { JobQueues } from '../jobs/queues';

export interface AppsDeps {
  db: Database;
  redis: Redis;
  queues: Pick<JobQueues, 'enqueueBuild' | 'enqueueAppOperation'>;
  config: CommonConfig;
}

/** The webhook endpoint GitHub (or any forge) posts pushes to. */
export function webhookUrl(config: CommonConfig, appName: string): string {
  return `${config.COVE_DASHBOARD_URL.replace(/\/+$/, '')}/api/v1/webhooks/${appName}`;
}
