import {
  bigint,
  bigserial,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { apps } from './apps';
import { deployments } from './deployments';
import { workspaces } from './identity';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Each app's visitors per day (UTC), rolled up by the builder from the proxy's Redis counters, so
 * they outlive Redis. Kept COVE_HISTORY_RETENTION_DAYS.
 */
export const appViewsDaily = pgTable(
  'app_views_daily',
  {
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    /** Page loads of the app's HTML (not its assets or WebSocket frames). */
    views: integer('views').notNull().default(0),
    uniqueViewers: integer('unique_viewers').notNull().default(0),
    /** The day's viewers as Redis's HyperLogLog holds them: unions over several days are counted from these. */
    viewersSketch: bytea('viewers_sketch'),
    /** WebSocket sessions (an open tab) that ended that day, and how long they lasted in all. */
    sessions: integer('sessions').notNull().default(0),
    sessionSeconds: bigint('session_seconds', { mode: 'number' }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.appId, table.day] })],
);

/** Who viewed a private app last (signed-in viewers only; public apps' visitors are anonymous). */
export const appRecentViewers = pgTable(
  'app_recent_viewers',
  {
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.appId, table.email] }),
    index('app_recent_viewers_app_idx').on(table.appId, table.lastSeenAt),
  ],
);

/** CPU and memory of an app's running instance, sampled by the builder from the engine's stats. */
export const appMetricSamples = pgTable(
  'app_metric_samples',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    deploymentId: uuid('deployment_id').references(() => deployments.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** CPU in use, in cores (0.5: half of one core). */
    cpuCores: doublePrecision('cpu_cores').notNull(),
    memoryBytes: bigint('memory_bytes', { mode: 'number' }).notNull(),
    memoryLimitBytes: bigint('memory_limit_bytes', { mode: 'number' }),
  },
  (table) => [index('app_metric_samples_app_idx').on(table.appId, table.at)],
);

/** Each out-of-memory kill the engine reported for an app's instance, marked on its memory chart. */
export const appOomKills = pgTable(
  'app_oom_kills',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    deploymentId: uuid('deployment_id').references(() => deployments.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('app_oom_kills_app_idx').on(table.appId, table.at)],
);
