// Apps' visitors in Postgres: the builder rolls the proxies' Redis counters (analytics-counters.ts)
// into one row per app and day, and the API reads them, always within one workspace.
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { AnalyticsDayView, AppAnalyticsResponse } from '../contracts/insights';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { appRecentViewers, appViewsDaily } from '../db/schema/insights';
import {
  countUnionOfSketches,
  lastViewersKept,
  readDayCounts,
  readDayViewers,
  readLastViewers,
  utcDay,
} from './analytics-counters';

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Copies today's and yesterday's counters (the proxies may still flush yesterday's last batch just
 * after midnight) into Postgres. Redis holds each day's totals, so a row takes the larger of what it
 * had and what Redis has: rolling up twice changes nothing, and a Redis that lost its keys never
 * lowers a count. Returns how many app-days were written.
 */
export async function rollUpAnalytics(
  db: Database,
  redis: Redis,
  instance: string,
  nowMs: number,
): Promise<number> {
  let written = 0;
  const rolledApps = new Set<string>();
  for (const day of [utcDay(nowMs - dayMs), utcDay(nowMs)]) {
    const counts = await readDayCounts(redis, instance, day);
    if (counts.length === 0) continue;
    const workspaceOf = await workspacesOf(
      db,
      counts.map((entry) => entry.appId),
    );
    for (const entry of counts) {
      const workspaceId = workspaceOf.get(entry.appId);
      // A deleted app (or a key of another shape) has nothing to roll into.
      if (workspaceId === undefined) continue;
      const viewers = await readDayViewers(redis, instance, day, entry.appId);
      const row = {
        appId: entry.appId,
        workspaceId,
        day,
        views: entry.views,
        uniqueViewers: viewers.count,
        viewersSketch: viewers.sketch,
        sessions: entry.sessions,
        sessionSeconds: Math.round(entry.sessionMs / 1000),
      };
      await db
        .insert(appViewsDaily)
        .values(row)
        .onConflictDoUpdate({
          target: [appViewsDaily.appId, appViewsDaily.day],
          set: {
            views: sql`greatest(${appViewsDaily.views}, excluded.views)`,
            sessions: sql`greatest(${appViewsDaily.sessions}, excluded.sessions)`,
            sessionSeconds: sql`greatest(${appViewsDaily.sessionSeconds}, excluded.session_seconds)`,
            // The sketch that counts more viewers is the fuller one (Redis kept its keys, or not).
            viewersSketch: sql`case when excluded.unique_viewers >= ${appViewsDaily.uniqueViewers} then coalesce(excluded.viewers_sketch, ${appViewsDaily.viewersSketch}) else ${appViewsDaily.viewersSketch} end`,
            uniqueViewers: sql`greatest(${appViewsDaily.uniqueViewers}, excluded.unique_viewers)`,
          },
        });
      written += 1;
      if (!rolledApps.has(entry.appId)) {
        rolledApps.add(entry.appId);
        await rollUpLastViewers(db, redis, instance, entry.appId, workspaceId);
      }
    }
  }
  return written;
}

async function workspacesOf(db: Database, appIds: string[]): Promise<Map<string, string>> {
  const uuids = appIds.filter((appId) => /^[0-9a-f-]{36}$/i.test(appId));
  if (uuids.length === 0) return new Map();
  const rows = await db
    .select({ id: apps.id, workspaceId: apps.workspaceId })
    .from(apps)
    .where(inArray(apps.id, uuids));
  return new Map(rows.map((row) => [row.id, row.workspaceId]));
}

async function rollUpLastViewers(
  db: Database,
  redis: Redis,
  instance: string,
  appId: string,
  workspaceId: string,
): Promise<void> {
  const viewers = await readLastViewers(redis, instance, appId);
  if (viewers.length === 0) return;
  await db
    .insert(appRecentViewers)
    .values(
      viewers.map((viewer) => ({
        appId,
        workspaceId,
        email: viewer.email,
        lastSeenAt: new Date(viewer.lastSeenMs),
      })),
    )
    .onConflictDoUpdate({
      target: [appRecentViewers.appId, appRecentViewers.email],
      set: { lastSeenAt: sql`greatest(${appRecentViewers.lastSeenAt}, excluded.last_seen_at)` },
    });
}

/** Drops the days and last viewers older than `before`; returns how many rows went. */
export async function pruneAnalytics(db: Database, before: Date): Promise<number> {
  const days = await db.delete(appViewsDaily).where(lt(appViewsDaily.day, utcDay(before.getTime())));
  const viewers = await db.delete(appRecentViewers).where(lt(appRecentViewers.lastSeenAt, before));
  return (days.rowCount ?? 0) + (viewers.rowCount ?? 0);
}

function averageSeconds(sessions: number, seconds: number): number | null {
  return sessions === 0 ? null : Math.round((seconds / sessions) * 10) / 10;
}

/**
 * The app's visitors over the last `days` days (today included), every day present. The last
 * viewers are only a private app's (its viewers signed in; a public app's are anonymous).
 */
export async function readAppAnalytics(
  deps: { db: Database; redis: Redis; instance: string },
  workspaceId: string,
  app: { id: string; visibility: 'public' | 'private' },
  options: { days: number; nowMs: number },
): Promise<AppAnalyticsResponse> {
  const { db } = deps;
  const firstDay = utcDay(options.nowMs - (options.days - 1) * dayMs);
  const rows = await db
    .select()
    .from(appViewsDaily)
    .where(
      and(
        eq(appViewsDaily.workspaceId, workspaceId),
        eq(appViewsDaily.appId, app.id),
        gte(appViewsDaily.day, firstDay),
      ),
    );
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const perDay: AnalyticsDayView[] = [];
  for (let index = options.days - 1; index >= 0; index -= 1) {
    const day = utcDay(options.nowMs - index * dayMs);
    const row = byDay.get(day);
    perDay.push({
      day,
      views: row?.views ?? 0,
      uniqueViewers: row?.uniqueViewers ?? 0,
      sessions: row?.sessions ?? 0,
      averageSessionSeconds: averageSeconds(row?.sessions ?? 0, row?.sessionSeconds ?? 0),
    });
  }
  const sketches = rows.flatMap((row) => (row.viewersSketch ? [row.viewersSketch] : []));
  const sessions = rows.reduce((sum, row) => sum + row.sessions, 0);
  const sessionSeconds = rows.reduce((sum, row) => sum + row.sessionSeconds, 0);
  const lastViewers =
    app.visibility === 'private'
      ? await db
          .select({ email: appRecentViewers.email, lastSeenAt: appRecentViewers.lastSeenAt })
          .from(appRecentViewers)
          .where(and(eq(appRecentViewers.workspaceId, workspaceId), eq(appRecentViewers.appId, app.id)))
          .orderBy(desc(appRecentViewers.lastSeenAt))
          .limit(lastViewersKept)
      : null;
  return {
    days: options.days,
    totalViews: rows.reduce((sum, row) => sum + row.views, 0),
    uniqueViewers: await countUnionOfSketches(deps.redis, deps.instance, sketches),
    sessions,
    averageSessionSeconds: averageSeconds(sessions, sessionSeconds),
    perDay,
    lastViewers:
      lastViewers?.map((viewer) => ({ email: viewer.email, at: viewer.lastSeenAt.toISOString() })) ?? null,
  };
}
