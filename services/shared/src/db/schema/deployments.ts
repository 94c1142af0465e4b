import {
  bigserial,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { apps } from './apps';
import { workspaces } from './identity';

export const deploymentStatuses = [
  'queued',
  'building',
  'deploying',
  'running',
  'failed',
  'superseded',
  'cancelled',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** 'rollback' makes an earlier deployment's image live again, without a build. */
/** 'upload' builds a folder sent to the API (no repository). */
/** 'rebuild' builds the live version again when its image is not on the host (a restored backup). */
export const deploymentTriggers = [
  'create',
  'push',
  'manual',
  'sample',
  'rollback',
  'upload',
  'rebuild',
] as const;
export type DeploymentTrigger = (typeof deploymentTriggers)[number];

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    trigger: text('trigger', { enum: deploymentTriggers }).notNull(),
    /** Branch to build; the commit is resolved when the build starts unless a push named it. */
    branch: text('branch').notNull(),
    commitSha: text('commit_sha'),
    /** For a deployment of an uploaded folder (no commit): the content digest, sha256:<hex>. */
    uploadDigest: text('upload_digest'),
    commitMessage: text('commit_message'),
    commitAuthor: text('commit_author'),
    status: text('status', { enum: deploymentStatuses }).notNull().default('queued'),
    /** Why it failed, in words the app's author can act on. */
    errorMessage: text('error_message'),
    /** The Python it was built with (a rollback: its source's); null until the build chose one. */
    pythonVersion: text('python_version'),
    imageTag: text('image_tag'),
    /**
     * The built image's id (`sha256:...`), what every container of this deployment is started from:
     * a tag can be moved, an id cannot. Null on rows from before it was recorded (the tag is resolved
     * once, and the image's `cove.app-id` label checked, on their next start).
     */
    imageId: text('image_id'),
    containerId: text('container_id'),
    /** Port published on the host's loopback for this deployment's container. */
    hostPort: integer('host_port'),
    /** Refreshed by the worker while it builds; a stale heartbeat means the worker died. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    /** How many times its builder stopped mid-build (killed, restarted); it is built again up to a bound. */
    interruptionCount: integer('interruption_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [index('deployments_app_created_idx').on(table.appId, table.createdAt)],
);

export const logStreams = ['build', 'runtime'] as const;
export type LogStream = (typeof logStreams)[number];

/** Build and runtime output of apps: data shown to their authors, not the platform's own log. */
export const deploymentLogs = pgTable(
  'deployment_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deploymentId: uuid('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    stream: text('stream', { enum: logStreams }).notNull(),
    line: text('line').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('deployment_logs_deployment_idx').on(table.deploymentId, table.stream, table.id)],
);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Folders uploaded to deploy (tar archives, checked: uploads/archive.ts), by content digest, for the
 * builder to unpack as it would clone a commit. The newest few per app are kept (uploads/store.ts).
 */
export const appUploads = pgTable(
  'app_uploads',
  {
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    digest: text('digest').notNull(),
    archive: bytea('archive').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    fileCount: integer('file_count').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.appId, table.digest] })],
);
