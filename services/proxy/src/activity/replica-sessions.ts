// The open WebSocket sessions of each app's replicas as this proxy holds them: read on the request
// path (a new viewer goes to the replica with the fewest) and published to Redis every flush for
// the scaler, which adds up every proxy replica's counts (@cove/shared/replicas/sessions).
import { randomBytes } from 'node:crypto';
import type { Logger } from '@cove/shared/logs/logger';
import { publishSessionCounts, type SessionCounts } from '@cove/shared/replicas/sessions';
import type { Redis } from 'ioredis';

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
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;

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
    start() {
      const tick = () => {
        if (isStopped) return;
        timer = setTimeout(() => void sessions.flush().finally(tick), flushIntervalMs);
        timer.unref();
      };
      tick();
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      counts.clear();
      await sessions.flush();
    },
  };
  return sessions;
}
