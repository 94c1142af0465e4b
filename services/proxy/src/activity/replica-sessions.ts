// The open WebSocket sessions of each app's replicas as this proxy holds them: read on the request
// path (a new viewer goes to the replica with the fewest) and published to Redis every flush for
// the scaler, which adds up every proxy replica's counts (@cove/shared/replicas/sessions).
import { randomBytes } from 'node:crypto';
import type { Logger } from '@cove/shared/logs/logger';
import { publishSessionCounts, type SessionCounts } from '@cove/shared/replicas/sessions';
import type { Redis } from 'ioredis';
import { flushEvery } from './flush-loop';

export interface ReplicaSessions {
  /** A session opened on the replica; call the returned function once it closes. */
  hold(appId: string, replicaId: string): () => void;
  sessionsOf(appId: string, replicaId: string): number;
  flush(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createReplicaSessions(options: {
  redis: Redis;
  instance: string;
  flushIntervalMs: number;
  logger: Logger;
}): ReplicaSessions {
  const { redis, instance, flushIntervalMs, logger } = options;
  const proxyId = randomBytes(6).toString('hex');
  // A proxy that stops refreshing (it died) stops counting after a few missed flushes.
  const ttlMs = Math.max(5_000, flushIntervalMs * 5);
  const counts: SessionCounts = new Map();

  const sessions: ReplicaSessions = {
    hold(appId, replicaId) {
      const replicas = counts.get(appId) ?? new Map<string, number>();
      counts.set(appId, replicas);
      replicas.set(replicaId, (replicas.get(replicaId) ?? 0) + 1);
      let isClosed = false;
      return () => {
        if (isClosed) return;
        isClosed = true;
        const left = (replicas.get(replicaId) ?? 1) - 1;
        if (left > 0) replicas.set(replicaId, left);
        else replicas.delete(replicaId);
        if (replicas.size === 0) counts.delete(appId);
      };
    },
    sessionsOf: (appId, replicaId) => counts.get(appId)?.get(replicaId) ?? 0,
    async flush() {
      try {
        await publishSessionCounts(redis, instance, proxyId, counts, { ttlMs, nowMs: Date.now() });
      } catch (error) {
        logger.warn({ err: error }, 'could not publish the open sessions per replica; will try again');
      }
    },
    start: () => loop.start(),
    async stop() {
      // The last flush says this proxy holds no session any more.
      counts.clear();
      await loop.stop();
    },
  };
  const loop = flushEvery(flushIntervalMs, () => sessions.flush());
  return sessions;
}
