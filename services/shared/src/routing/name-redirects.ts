// Old names of renamed apps, beside the route table: the proxy answers a request for an old name
// with a redirect to the app's current name until the entry expires. A sibling hash, derived from
// Postgres (app_name_redirects): the reconciler rewrites it when Redis loses it (planNameRedirects).
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

/** Every entry of the hash; null for one that does not parse (written by an older version). */
export async function readAllNameRedirects(
  redis: Redis,
  instance: string,
): Promise<Map<string, NameRedirect | null>> {
  const raw = await redis.hgetall(redirectsKey(instance));
  const entries = new Map<string, NameRedirect | null>();
  for (const [oldName, value] of Object.entries(raw)) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(value);
    } catch {
      // Left as null: replaced or removed like any other stale entry.
    }
    const entry = nameRedirect.safeParse(parsed);
    entries.set(oldName, entry.success ? entry.data : null);
  }
  return entries;
}

export interface NameRedirectChanges {
  write: NameRedirect[];
  remove: string[];
}

/**
 * What makes the hash equal to Postgres: every redirect still in its grace period is written
 * (when missing or different), and every other entry (expired, of a deleted app, unreadable) goes.
 */
export function planNameRedirects(
  desired: readonly NameRedirect[],
  observed: ReadonlyMap<string, NameRedirect | null>,
  now: Date,
): NameRedirectChanges {
  const live = new Map<string, NameRedirect>();
  for (const entry of desired) {
    if (Date.parse(entry.expiresAt) > now.getTime()) live.set(entry.oldName, entry);
  }
  const write = [...live.values()].filter((entry) => {
    const current = observed.get(entry.oldName);
    return (
      !current ||
      current.appId !== entry.appId ||
      current.toName !== entry.toName ||
      Date.parse(current.expiresAt) !== Date.parse(entry.expiresAt)
    );
  });
  const remove = [...observed.keys()].filter((oldName) => !live.has(oldName));
  return { write, remove };
}
