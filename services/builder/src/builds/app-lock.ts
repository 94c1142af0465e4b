// One build per app at a time, across every builder process: a Redis key per app holding the
// deployment that builds, with an expiry the build's watch keeps pushing back. A dead builder's lock
// lapses by itself; only the holder (its token) can extend or release it.
import type { Redis } from 'ioredis';

const extendScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface AppBuildLock {
  /** Pushes the expiry back; false when the lock was lost (it lapsed and another build took it). */
  extend(): Promise<boolean>;
  release(): Promise<void>;
}

function lockKey(instance: string, appId: string): string {
  return `cove-${instance}:build-lock:${appId}`;
}

/** Takes the app's build lock for the deployment, or null when another build of the app holds it. */
export async function takeAppBuildLock(
  redis: Redis,
  request: { instance: string; appId: string; deploymentId: string; ttlMs: number },
): Promise<AppBuildLock | null> {
  const key = lockKey(request.instance, request.appId);
  const token = `${request.deploymentId}-${crypto.randomUUID()}`;
  const ttl = String(Math.ceil(request.ttlMs));
  const taken = await redis.set(key, token, 'PX', ttl, 'NX');
  if (taken !== 'OK') return null;
  return {
    async extend() {
      return (await redis.eval(extendScript, 1, key, token, ttl)) === 1;
    },
    async release() {
      await redis.eval(releaseScript, 1, key, token);
    },
  };
}
