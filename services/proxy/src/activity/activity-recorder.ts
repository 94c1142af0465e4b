// What the proxy saw of each app, kept in memory on the request path (no Redis round trip per
// request) and written to Redis every flush interval. An app with an open WebSocket (an open tab)
// counts as seen at every flush, so it stays awake for as long as the tab is open.
import type { Logger } from '@cove/shared/logs/logger';
import { recordActivity } from '@cove/shared/sleep/activity';
import type { Redis } from 'ioredis';
import { flushEvery } from './flush-loop';

export interface ActivityRecorder {
  /** An HTTP request (or a WebSocket opening) for the app, now. */
  touch(appId: string): void;
  /** A WebSocket to the app opened; call the returned function once it closes. */
  holdOpen(appId: string): () => void;
  openWebSocketCount(appId: string): number;
  /** Writes what was seen since the last flush. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and flushes one last time. */
  stop(): Promise<void>;
}

export function createActivityRecorder(options: {
  redis: Redis;
  instance: string;
  flushIntervalMs: number;
  logger: Logger;
  now?: () => number;
}): ActivityRecorder {
  const { redis, instance, flushIntervalMs, logger } = options;
  const now = options.now ?? Date.now;
  let seen = new Map<string, number>();
  const openWebSockets = new Map<string, number>();

  const recorder: ActivityRecorder = {
    touch(appId) {
      seen.set(appId, now());
    },
    holdOpen(appId) {
      recorder.touch(appId);
      openWebSockets.set(appId, (openWebSockets.get(appId) ?? 0) + 1);
      let isClosed = false;
      return () => {
        if (isClosed) return;
        isClosed = true;
        recorder.touch(appId);
        const left = (openWebSockets.get(appId) ?? 1) - 1;
        if (left <= 0) openWebSockets.delete(appId);
        else openWebSockets.set(appId, left);
      };
    },
    openWebSocketCount: (appId) => openWebSockets.get(appId) ?? 0,
    async flush() {
      const batch = seen;
      seen = new Map();
      const flushedAt = now();
      for (const appId of openWebSockets.keys()) batch.set(appId, flushedAt);
      try {
        await recordActivity(redis, instance, batch);
      } catch (error) {
        // Keep what was seen for the next flush rather than let an app fall asleep under a visitor.
        for (const [appId, lastSeenMs] of batch) seen.set(appId, Math.max(seen.get(appId) ?? 0, lastSeenMs));
        logger.warn({ err: error, apps: batch.size }, 'could not record activity; will try again');
      }
    },
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
  const loop = flushEvery(flushIntervalMs, () => recorder.flush());
  return recorder;
}
