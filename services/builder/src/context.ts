// What every part of the builder works with, passed explicitly rather than held in globals.
import type { BuilderConfig } from '@cove/shared/config/schemas';
import type { Database } from '@cove/shared/db/client';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import type { ContainerRuntime } from './runtime/types';

/** Keeps each live container's output in its deployment's runtime log (deploy/runtime-logs.ts). */
export interface RuntimeLogs {
  isFollowing(containerId: string): boolean;
  /** Output before `sinceSeconds` is skipped; `mask` rewrites each line (it hides the app's secrets). */
  follow(
    containerId: string,
    deploymentId: string,
    sinceSeconds: number,
    mask?: (line: string) => string,
  ): void;
  stopAll(): Promise<void>;
}

export interface BuilderContext {
  config: BuilderConfig;
  db: Database;
  redis: Redis;
  runtime: ContainerRuntime;
  logger: Logger;
  runtimeLogs: RuntimeLogs;
}
