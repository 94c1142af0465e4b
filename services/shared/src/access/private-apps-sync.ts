// The reconciler's part of private apps: make the Redis set of private app ids equal to Postgres
// (after a Redis restart, or a write that was lost).
import { and, eq, inArray } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { readPrivateAppIds, writeAppVisibility } from './private-apps';

/** The private apps of every workspace (this is the platform's own view, not a tenant's query). */
async function privateAppIds(db: Database, among?: readonly string[]): Promise<Set<string>> {
  const isPrivate = eq(apps.visibility, 'private');
  const rows = await db
    .select({ id: apps.id })
    .from(apps)
    .where(among ? and(isPrivate, inArray(apps.id, [...among])) : isPrivate);
  return new Set(rows.map((row) => row.id));
}

/** Adds the private apps Redis misses and removes the ones Postgres no longer calls private. */
export async function syncPrivateApps(
  db: Database,
  redis: Redis,
  instance: string,
): Promise<{ added: string[]; removed: string[] }> {
  const wanted = await privateAppIds(db);
  const seen = await readPrivateAppIds(redis, instance);
  const added = [...wanted].filter((id) => !seen.has(id));
  for (const id of added) await writeAppVisibility(redis, instance, id, 'private');
  const extra = [...seen].filter((id) => !wanted.has(id));
  if (extra.length === 0) return { added, removed: [] };
  // Read again just before removing: an app made private after the first read stays gated.
  const stillPrivate = await privateAppIds(db, extra);
  const removed = extra.filter((id) => !stillPrivate.has(id));
  for (const id of removed) await writeAppVisibility(redis, instance, id, 'public');
  return { added, removed };
}
