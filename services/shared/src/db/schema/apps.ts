import {
  type AnyPgColumn,
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users, workspaces } from './identity';

export const appStatuses = [
  'queued',
  'building',
  'deploying',
  'running',
  'sleeping',
  'waking',
  'failed',
  'crashed',
  'stopped',
] as const;
export type AppStatus = (typeof appStatuses)[number];

/** Public: anyone with the link. Private: signed-in members of the workspace and the allow-list. */
export const appVisibilities = ['public', 'private'] as const;
export type AppVisibility = (typeof appVisibilities)[number];

/** git: built from a repository's branch; upload: from folders sent to the API (cove deploy ./dir). */
export const appSources = ['git', 'upload'] as const;
export type AppSource = (typeof appSources)[number];

export const apps = pgTable('apps', {
  id: uuid('id').primaryKey().defaultRandom(),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  /** The subdomain; unique across the installation. */
  name: text('name').notNull().unique(),
  source: text('source', { enum: appSources }).notNull().default('git'),
  /** Empty for an app deployed from uploads: it has no repository and no branch. */
  repoUrl: text('repo_url').notNull(),
  branch: text('branch').notNull(),
  mainFile: text('main_file').notNull(),
  /** AES-256-GCM ciphertext (see secrets/crypto), bound to this app and workspace. */
  webhookSecretCiphertext: text('webhook_secret_ciphertext').notNull(),
  /** What should run: the deployment serving the app. Null until a first deploy succeeds. */
  liveDeploymentId: uuid('live_deployment_id'),
  /** What is observed, kept by the builder and the reconciler for the dashboard and the proxy. */
  status: text('status', { enum: appStatuses }).notNull().default('queued'),
  statusMessage: text('status_message'),
  /** Consecutive crashes of the live container, for restart backoff. */
  crashCount: integer('crash_count').notNull().default(0),
  /** Python (major.minor) used when the repository has no .python-version; null: the platform's. */
  pythonVersion: text('python_version'),
  /** The container's limits; null: the platform's defaults (COVE_APP_MEMORY_MB, COVE_APP_CPUS). */
  memoryMb: integer('memory_mb'),
  cpus: real('cpus'),
  /** Idle seconds before the app is frozen / stopped; 0 never; null: the platform's defaults. */
  freezeAfterSeconds: integer('freeze_after_seconds'),
  stopAfterSeconds: integer('stop_after_seconds'),
  /** Processes of the app while it is awake: never fewer than min, never more than max. */
  minReplicas: integer('min_replicas').notNull().default(1),
  maxReplicas: integer('max_replicas').notNull().default(1),
  /** Open sessions (WebSockets) one replica takes before another starts, up to maxReplicas. */
  sessionsPerReplica: integer('sessions_per_replica').notNull().default(50),
  /** How many replicas should run now (the scaler's choice within min and max); lifecycle/ writes it. */
  replicaCount: integer('replica_count').notNull().default(1),
  visibility: text('visibility', { enum: appVisibilities }).notNull().default('public'),
  /** Set when the app was linked through the GitHub App: clones use its short-lived tokens. */
  githubInstallationId: bigint('github_installation_id', { mode: 'number' }),
  /** owner/name on GitHub, matched against the GitHub App's push events. */
  githubRepoFullName: text('github_repo_full_name'),
  /** Pull request previews: on for this app, and whether they get its secrets (PR code can read them). */
  previewsEnabled: boolean('previews_enabled').notNull().default(false),
  previewSecrets: boolean('preview_secrets').notNull().default(false),
  /** Set on a preview: the app it previews a pull request of, and the request's number. */
  previewOfAppId: uuid('preview_of_app_id').references((): AnyPgColumn => apps.id, { onDelete: 'cascade' }),
  previewNumber: integer('preview_number'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** GitHub's X-GitHub-Delivery ids already accepted, so a replayed delivery is refused. */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  deliveryId: text('delivery_id').primaryKey(),
  appId: uuid('app_id')
    .notNull()
    .references(() => apps.id, { onDelete: 'cascade' }),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Names an app had before a rename: the old subdomain redirects to the app's current name until
 * expiresAt, and no other app can take the name meanwhile.
 */
export const appNameRedirects = pgTable('app_name_redirects', {
  oldName: text('old_name').primaryKey(),
  appId: uuid('app_id')
    .notNull()
    .references(() => apps.id, { onDelete: 'cascade' }),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** People outside the workspace who may open a private app, by email (case-folded). */
export const appAccessEmails = pgTable(
  'app_access_emails',
  {
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    addedBy: uuid('added_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.appId, table.email] })],
);

/**
 * A GitHub App installation connected to a workspace (the operator configures the GitHub App;
 * a workspace owner or developer installs it on an account and links the installation here).
 */
export const githubInstallations = pgTable(
  'github_installations',
  {
    installationId: bigint('installation_id', { mode: 'number' }).primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountLogin: text('account_login').notNull(),
    accountType: text('account_type').notNull(),
    connectedBy: uuid('connected_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('github_installations_workspace_idx').on(table.workspaceId)],
);
