// Rebuilds the old-name redirects in Redis from Postgres, the source of truth: after Redis lost
// them (a flush, a restart without persistence) and as each grace period ends. The reconciler runs
// it on every pass; it is cheap, one query and one HGETALL. Rows whose grace period ended are
// deleted here too: they reserve nothing and redirect nothing.
import { eq, gt, lte } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Database } from '../db/client';
import { appNameRedirects, apps } from '../db/schema/apps';
import {
  type NameRedirect,
  type NameRedirectChanges,
  planNameRedirects,
  readAllNameRedirects,
  removeNameRedirects,
  writeNameRedirect,
} from './name-redirects';

/** The redirects still in their grace period, each to its app's current name (every workspace). */
async function readDesiredRedirects(db: Database, now: Date): Promise<NameRedirect[]> {
  const rows = await db
    .select({
      oldName: appNameRedirects.oldName,
      appId: appNameRedirects.appId,
      toName: apps.name,
      expiresAt: appNameRedirects.expiresAt,
    })
    .from(appNameRedirects)
    .innerJoin(apps, eq(apps.id, appNameRedirects.appId))
    .where(gt(appNameRedirects.expiresAt, now));
  return rows.map((row) => ({ ...row, expiresAt: row.expiresAt.toISOString() }));
}

export async function syncNameRedirects(
  db: Database,
  redis: Redis,
  instance: string,
  now: Date = new Date(),
): Promise<NameRedirectChanges> {
  // Redis first: an entry seen there was written after its row was committed, so the Postgres read
  // below sees that row too, and a rename landing in between is never removed. A stale write (a
  // rename between the two reads) is corrected by the next pass.
  const observed = await readAllNameRedirects(redis, instance);
  const desired = await readDesiredRedirects(db, now);
  const changes = planNameRedirects(desired, observed, now);
  for (const entry of changes.write) await writeNameRedirect(redis, instance, entry);
  await removeNameRedirects(redis, instance, changes.remove);
  await db.delete(appNameRedirects).where(lte(appNameRedirects.expiresAt, now));
  return changes;
}
