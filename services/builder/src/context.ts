// What every part of the builder works with, passed explicitly rather than held in globals.
import type { BuilderConfig } from '@cove/shared/config/schemas';
import type { Database } from '@cove/shared/db/client';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import type { RuntimeLogFollowers } from './deploy/runtime-logs';
import type { ContainerRuntime } from './runtime/types';

export interface BuilderContext {
  config: BuilderConfig;
  db: Database;
  redis: Redis;
  runtime: ContainerRuntime;
  logger: Logger;
  runtimeLogs: RuntimeLogFollowers;
}
