// Which apps are private, as the proxy sees them: a Redis set of app ids beside the route table
// (a visibility change applies at once, with no rebuild) and a channel that tells every proxy
// replica to re-read one app. Rebuildable from Postgres: the reconciler keeps it equal.
import type { Redis } from 'ioredis';
import type { AppVisibility } from '../db/schema/apps';

export function privateAppKeys(instance: string) {
  return {
    set: `cove:${instance}:access:private-apps`,
    /** Pub/sub: the id of an app whose visibility changed. */
    channel: `cove:${instance}:access:private-apps:changed`,
  };
}

export async function writeAppVisibility(
  redis: Redis,
  instance: string,
  appId: string,
  visibility: AppVisibility,
): Promise<void> {
  const keys = privateAppKeys(instance);
  if (visibility === 'private') await redis.sadd(keys.set, appId);
  else await redis.srem(keys.set, appId);
  await redis.publish(keys.channel, appId);
}

export async function readPrivateAppIds(redis: Redis, instance: string): Promise<Set<string>> {
  return new Set(await redis.smembers(privateAppKeys(instance).set));
}

export async function isAppPrivate(redis: Redis, instance: string, appId: string): Promise<boolean> {
  return (await redis.sismember(privateAppKeys(instance).set, appId)) === 1;
}
