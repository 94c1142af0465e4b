// When each app last had a visitor, shared by every proxy replica: one sorted set in Redis, app id
// -> last activity (ms since the epoch). Replicas only ever move a score forward (ZADD GT), so the
// newest sighting wins whichever replica flushes last. Lost with Redis, it is rebuilt as "now".
import type { Redis } from 'ioredis';

export function activityKey(instance: string): string {
  return `cove:${instance}:activity`;
}

/** Records that each app was seen at the given time (a later time already stored is kept). */
export async function recordActivity(
  redis: Redis,
  instance: string,
  lastSeenMsByAppId: ReadonlyMap<string, number>,
): Promise<void> {
  if (lastSeenMsByAppId.size === 0) return;
  const scoresAndMembers: Array<string | number> = [];
  for (const [appId, lastSeenMs] of lastSeenMsByAppId) scoresAndMembers.push(lastSeenMs, appId);
  await redis.zadd(activityKey(instance), 'GT', ...scoresAndMembers);
}

/** Starts the idle clock of apps that have no record yet (a fresh deploy, a flushed Redis). */
export async function seedActivity(
  redis: Redis,
  instance: string,
  appIds: readonly string[],
  nowMs: number,
): Promise<void> {
  if (appIds.length === 0) return;
  await redis.zadd(activityKey(instance), 'NX', ...appIds.flatMap((appId) => [nowMs, appId]));
}

export async function readActivity(redis: Redis, instance: string): Promise<Map<string, number>> {
  const flat = await redis.zrange(activityKey(instance), 0, -1, 'WITHSCORES');
  const activity = new Map<string, number>();
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const appId = flat[index];
    const score = Number(flat[index + 1]);
    if (appId !== undefined && Number.isFinite(score)) activity.set(appId, score);
  }
  return activity;
}

export async function readLastActivity(redis: Redis, instance: string, appId: string): Promise<Date | null> {
  const score = await redis.zscore(activityKey(instance), appId);
  return score === null ? null : new Date(Number(score));
}

/** Last activity of each of the given apps that has a record, in one round trip. */
export async function readLastActivities(
  redis: Redis,
  instance: string,
  appIds: readonly string[],
): Promise<Map<string, Date>> {
  const lastVisits = new Map<string, Date>();
  if (appIds.length === 0) return lastVisits;
  const scores = await redis.zmscore(activityKey(instance), ...appIds);
  appIds.forEach((appId, index) => {
    const score = scores[index];
    if (score !== null && score !== undefined) lastVisits.set(appId, new Date(Number(score)));
  });
  return lastVisits;
}

export async function forgetActivity(redis: Redis, instance: string, appId: string): Promise<void> {
  await redis.zrem(activityKey(instance), appId);
}
