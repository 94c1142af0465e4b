// Who viewed each app, as the proxies count it in Redis until the builder rolls it into Postgres
// (analytics-rollup.ts): one hash per UTC day (views, ended sessions and their length per app), one
// HyperLogLog per app and day (unique viewers), and each private app's last signed-in viewers.
// Everything here may be lost with Redis: the day keys expire after a few days on their own.
import type { Redis } from 'ioredis';

/** Day keys outlive their day by this much, so a builder that was down a while still rolls them up. */
const dayKeyTtlSeconds = 3 * 24 * 60 * 60;
/** Last viewers kept per app in Redis (the newest); Postgres keeps every one within the retention. */
export const lastViewersKept = 50;

export function utcDay(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

export function analyticsKeys(instance: string) {
  const prefix = `cove:${instance}:analytics`;
  return {
    day: (day: string) => `${prefix}:${day}`,
    viewers: (day: string, appId: string) => `${prefix}:${day}:viewers:${appId}`,
    lastViewers: (appId: string) => `${prefix}:last-viewers:${appId}`,
  };
}

/** What one proxy saw between two flushes. */
export interface AnalyticsBatch {
  viewsByAppId: Map<string, number>;
  /** Viewer ids (a signed-in e-mail, or an anonymous visitor's cookie) per app. */
  viewersByAppId: Map<string, Set<string>>;
  /** Signed-in viewers of private apps and when each was last seen (ms). */
  lastViewersByAppId: Map<string, Map<string, number>>;
  /** Sessions that ended and their total length (ms) per app. */
  endedSessionsByAppId: Map<string, { count: number; totalMs: number }>;
}

export function emptyAnalyticsBatch(): AnalyticsBatch {
  return {
    viewsByAppId: new Map(),
    viewersByAppId: new Map(),
    lastViewersByAppId: new Map(),
    endedSessionsByAppId: new Map(),
  };
}

export function isEmptyBatch(batch: AnalyticsBatch): boolean {
  return (
    batch.viewsByAppId.size === 0 &&
    batch.viewersByAppId.size === 0 &&
    batch.lastViewersByAppId.size === 0 &&
    batch.endedSessionsByAppId.size === 0
  );
}

/** Writes a batch in one pipelined round trip, counted on the day of `nowMs`. */
export async function recordAnalytics(
  redis: Redis,
  instance: string,
  batch: AnalyticsBatch,
  nowMs: number,
): Promise<void> {
  if (isEmptyBatch(batch)) return;
  const keys = analyticsKeys(instance);
  const day = utcDay(nowMs);
  const dayKey = keys.day(day);
  const pipeline = redis.pipeline();
  for (const [appId, views] of batch.viewsByAppId) pipeline.hincrby(dayKey, `views:${appId}`, views);
  for (const [appId, { count, totalMs }] of batch.endedSessionsByAppId) {
    pipeline.hincrby(dayKey, `sessions:${appId}`, count);
    pipeline.hincrby(dayKey, `session-ms:${appId}`, Math.round(totalMs));
  }
  pipeline.expire(dayKey, dayKeyTtlSeconds);
  for (const [appId, viewers] of batch.viewersByAppId) {
    const viewersKey = keys.viewers(day, appId);
    pipeline.pfadd(viewersKey, ...viewers);
    pipeline.expire(viewersKey, dayKeyTtlSeconds);
  }
  for (const [appId, viewers] of batch.lastViewersByAppId) {
    const lastKey = keys.lastViewers(appId);
    pipeline.zadd(lastKey, 'GT', ...[...viewers].flatMap(([email, seenMs]) => [seenMs, email]));
    pipeline.zremrangebyrank(lastKey, 0, -(lastViewersKept + 1));
  }
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null)?.[0];
  if (failed) throw failed;
}

export interface DayCounts {
  appId: string;
  views: number;
  sessions: number;
  sessionMs: number;
}

/** The day's counts per app, as every proxy has flushed them so far. */
export async function readDayCounts(redis: Redis, instance: string, day: string): Promise<DayCounts[]> {
  const fields = await redis.hgetall(analyticsKeys(instance).day(day));
  const byApp = new Map<string, DayCounts>();
  for (const [field, value] of Object.entries(fields)) {
    const colon = field.indexOf(':');
    const kind = field.slice(0, colon);
    const appId = field.slice(colon + 1);
    const counts = byApp.get(appId) ?? { appId, views: 0, sessions: 0, sessionMs: 0 };
    byApp.set(appId, counts);
    const amount = Number(value);
    if (kind === 'views') counts.views = amount;
    else if (kind === 'sessions') counts.sessions = amount;
    else if (kind === 'session-ms') counts.sessionMs = amount;
  }
  return [...byApp.values()];
}

/** The day's unique viewers of the app, and the HyperLogLog itself (kept for unions over days). */
export async function readDayViewers(
  redis: Redis,
  instance: string,
  day: string,
  appId: string,
): Promise<{ count: number; sketch: Buffer | null }> {
  const key = analyticsKeys(instance).viewers(day, appId);
  const [count, sketch] = await Promise.all([redis.pfcount(key), redis.getBuffer(key)]);
  return { count, sketch };
}

export async function readLastViewers(
  redis: Redis,
  instance: string,
  appId: string,
): Promise<Array<{ email: string; lastSeenMs: number }>> {
  const flat = await redis.zrange(analyticsKeys(instance).lastViewers(appId), 0, -1, 'WITHSCORES');
  const viewers: Array<{ email: string; lastSeenMs: number }> = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const email = flat[index];
    const score = Number(flat[index + 1]);
    if (email !== undefined && Number.isFinite(score)) viewers.push({ email, lastSeenMs: score });
  }
  return viewers;
}

/**
 * How many different viewers several days' sketches hold together (a viewer back on another day
 * counts once): Redis counts the union of HyperLogLogs, so they are put back for a moment.
 */
export async function countUnionOfSketches(
  redis: Redis,
  instance: string,
  sketches: readonly Buffer[],
): Promise<number> {
  if (sketches.length === 0) return 0;
  const scratch = `cove:${instance}:analytics:union:${process.pid}:${Math.random().toString(36).slice(2)}`;
  const keys = sketches.map((_, index) => `${scratch}:${index}`);
  const pipeline = redis.pipeline();
  sketches.forEach((sketch, index) => {
    pipeline.set(keys[index] ?? scratch, sketch, 'EX', 60);
  });
  pipeline.pfcount(...keys);
  pipeline.del(...keys);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null)?.[0];
  if (failed) throw failed;
  return Number(results?.[sketches.length]?.[1] ?? 0);
}
