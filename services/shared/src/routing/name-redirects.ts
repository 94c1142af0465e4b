// Old names of renamed apps, beside the route table: the proxy answers a request for an old name
// with a redirect to the app's current name until the entry expires. A sibling hash, so the
// reconciler (which keeps the route table equal to the apps in Postgres) never erases one.
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const nameRedirect = z.object({
  appId: z.uuid(),
  oldName: z.string(),
  /** The app's current name: where the old subdomain sends people. */
  toName: z.string(),
  expiresAt: z.iso.datetime(),
});
export type NameRedirect = z.infer<typeof nameRedirect>;

export function redirectsKey(instance: string): string {
  return `cove:${instance}:redirects`;
}

export async function writeNameRedirect(redis: Redis, instance: string, entry: NameRedirect): Promise<void> {
  await redis.hset(redirectsKey(instance), entry.oldName, JSON.stringify(nameRedirect.parse(entry)));
}

export async function removeNameRedirects(
  redis: Redis,
  instance: string,
  oldNames: readonly string[],
): Promise<void> {
  if (oldNames.length === 0) return;
  await redis.hdel(redirectsKey(instance), ...oldNames);
}

/** Where a request for `name` goes instead, or null (no redirect, or it expired). */
export async function readNameRedirect(
  redis: Redis,
  instance: string,
  name: string,
  now: Date = new Date(),
): Promise<NameRedirect | null> {
  const raw = await redis.hget(redirectsKey(instance), name);
  if (raw === null) return null;
  const parsed = nameRedirect.safeParse(JSON.parse(raw));
  if (!parsed.success || Date.parse(parsed.data.expiresAt) <= now.getTime()) return null;
  return parsed.data;
}
