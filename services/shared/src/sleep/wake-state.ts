// Why the last wake of an app failed, kept in Redis for the proxy's "waking up" page to show
// (the proxy never reads Postgres). Written by the builder, cleared by the next successful wake.
import type { Redis } from 'ioredis';

/** How long a failure stays readable; the app's page in the dashboard keeps it for good. */
const failureTtlSeconds = 15 * 60;

export function wakeFailureKey(instance: string, appId: string): string {
  return `cove:${instance}:wake-failure:${appId}`;
}

export async function recordWakeFailure(
  redis: Redis,
  instance: string,
  appId: string,
  message: string,
): Promise<void> {
  await redis.set(wakeFailureKey(instance, appId), message, 'EX', failureTtlSeconds);
}

export async function clearWakeFailure(redis: Redis, instance: string, appId: string): Promise<void> {
  await redis.del(wakeFailureKey(instance, appId));
}

export function readWakeFailure(redis: Redis, instance: string, appId: string): Promise<string | null> {
  return redis.get(wakeFailureKey(instance, appId));
}

/** What apps.statusMessage says of a sleeping app: the depth, in words the dashboard shows. */
export const sleepMessages = {
  frozen: 'Asleep: frozen with its memory kept; the next visit wakes it in a moment.',
  stopped: 'Asleep: stopped, holding no memory; the next visit starts it again.',
} as const;
export type SleepDepth = keyof typeof sleepMessages;

export function sleepDepthOf(statusMessage: string | null): SleepDepth | null {
  if (statusMessage === sleepMessages.frozen) return 'frozen';
  if (statusMessage === sleepMessages.stopped) return 'stopped';
  return null;
}
