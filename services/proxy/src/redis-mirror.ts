// How the proxy keeps a copy in memory of something Redis holds (the route table, the private
// apps): a subscriber connection of its own, named so CLIENT LIST tells it apart, hears what
// changed. It subscribes before the first load, so nothing published in between is missed, and
// loads everything again after a reconnect, since messages published while it was away are lost.
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';

export interface RedisMirrorOptions {
  redis: Redis;
  connectionName: string;
  channels: readonly string[];
  /** What is mirrored, for log lines ("routes", "private apps"). */
  what: string;
  logger: Logger;
  onMessage(channel: string, message: string): void;
  /** Reads everything again (at start, and after each reconnect). */
  reloadAll(): Promise<void>;
}

export interface RedisMirror {
  /** Subscribes, then loads everything; resolves once the copy is complete. */
  start(): Promise<void>;
  /** Closes the subscriber connection (the command connection belongs to the caller). */
  stop(): Promise<void>;
}

export function mirrorFromRedis(options: RedisMirrorOptions): RedisMirror {
  const { logger, what } = options;
  const subscriber = options.redis.duplicate({ connectionName: options.connectionName });
  let hasLoaded = false;
  let isStopped = false;

  subscriber.on('message', options.onMessage);
  subscriber.on('ready', () => {
    // The first 'ready' is handled by start(); later ones follow a reconnect.
    if (!hasLoaded || isStopped) return;
    options.reloadAll().catch((error: unknown) => {
      logger.error({ err: error }, `could not reload ${what} after reconnecting to Redis`);
    });
  });
  subscriber.on('error', (error: Error) => {
    logger.warn({ err: error }, `${what} subscriber connection error`);
  });

  return {
    async start() {
      await subscriber.subscribe(...options.channels);
      await options.reloadAll();
      hasLoaded = true;
    },
    async stop() {
      isStopped = true;
      if (subscriber.status === 'end') return;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
