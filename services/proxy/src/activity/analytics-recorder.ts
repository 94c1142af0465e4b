// Views, viewers and sessions of each app, counted in memory on the request path (no Redis round
// trip, nothing awaited) and written to Redis in one pipeline every flush interval; the builder
// rolls them into Postgres (@cove/shared/insights/analytics-store).

import {
  type AnalyticsBatch,
  emptyAnalyticsBatch,
  isEmptyBatch,
  recordAnalytics,
} from '@cove/shared/insights/analytics-counters';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import { flushEvery } from './flush-loop';

export interface AnalyticsRecorder {
  /**
   * A page load of the app's HTML by a viewer: a signed-in e-mail (private apps) or an anonymous
   * visitor id (public apps' cookie).
   */
  view(appId: string, viewer: { email: string } | { visitorId: string }): void;
  /** A session (the tab's WebSocket) opened; call the returned function once it closes. */
  openSession(appId: string, email: string | undefined): () => void;
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and flushes one last time. */
  stop(): Promise<void>;
}

/** A batch that could not be written is kept for the next flush, but never grows past this. */
const maxHeldViewersPerApp = 10_000;

export function createAnalyticsRecorder(options: {
  redis: Redis;
  instance: string;
  flushIntervalMs: number;
  logger: Logger;
  now?: () => number;
}): AnalyticsRecorder {
  const { redis, instance, flushIntervalMs, logger } = options;
  const now = options.now ?? Date.now;
  let batch = emptyAnalyticsBatch();

  function seen(appId: string, email: string): void {
    const viewers = batch.lastViewersByAppId.get(appId) ?? new Map<string, number>();
    batch.lastViewersByAppId.set(appId, viewers);
    viewers.set(email, now());
  }

  function addViewer(target: AnalyticsBatch, appId: string, viewerId: string): void {
    const viewers = target.viewersByAppId.get(appId) ?? new Set<string>();
    target.viewersByAppId.set(appId, viewers);
    if (viewers.size < maxHeldViewersPerApp) viewers.add(viewerId);
  }

  /** Puts a batch that failed back into the current one. */
  function keep(failed: AnalyticsBatch): void {
    for (const [appId, views] of failed.viewsByAppId)
      batch.viewsByAppId.set(appId, (batch.viewsByAppId.get(appId) ?? 0) + views);
    for (const [appId, viewers] of failed.viewersByAppId)
      for (const viewer of viewers) addViewer(batch, appId, viewer);
    for (const [appId, viewers] of failed.lastViewersByAppId)
      for (const [email, seenMs] of viewers) {
        const current = batch.lastViewersByAppId.get(appId) ?? new Map<string, number>();
        batch.lastViewersByAppId.set(appId, current);
        current.set(email, Math.max(current.get(email) ?? 0, seenMs));
      }
    for (const [appId, ended] of failed.endedSessionsByAppId) {
      const current = batch.endedSessionsByAppId.get(appId) ?? { count: 0, totalMs: 0 };
      batch.endedSessionsByAppId.set(appId, {
        count: current.count + ended.count,
        totalMs: current.totalMs + ended.totalMs,
      });
    }
  }

  const recorder: AnalyticsRecorder = {
    view(appId, viewer) {
      batch.viewsByAppId.set(appId, (batch.viewsByAppId.get(appId) ?? 0) + 1);
      if ('email' in viewer) {
        // Unique per person, not per browser; kept apart from anonymous ids all the same.
        addViewer(batch, appId, `user:${viewer.email}`);
        seen(appId, viewer.email);
      } else addViewer(batch, appId, `visitor:${viewer.visitorId}`);
    },
    openSession(appId, email) {
      const openedAtMs = now();
      if (email !== undefined) seen(appId, email);
      let isClosed = false;
      return () => {
        if (isClosed) return;
        isClosed = true;
        const ended = batch.endedSessionsByAppId.get(appId) ?? { count: 0, totalMs: 0 };
        batch.endedSessionsByAppId.set(appId, {
          count: ended.count + 1,
          totalMs: ended.totalMs + (now() - openedAtMs),
        });
      };
    },
    async flush() {
      if (isEmptyBatch(batch)) return;
      const sent = batch;
      batch = emptyAnalyticsBatch();
      try {
        await recordAnalytics(redis, instance, sent, now());
      } catch (error) {
        keep(sent);
        logger.warn(
          { err: error, apps: sent.viewsByAppId.size },
          'could not record analytics; will try again',
        );
      }
    },
    start: () => loop.start(),
    stop: () => loop.stop(),
  };
  const loop = flushEvery(flushIntervalMs, () => recorder.flush());
  return recorder;
}
