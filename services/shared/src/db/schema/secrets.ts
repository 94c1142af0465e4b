import { bigserial, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apps } from './apps';
import { users, workspaces } from './identity';

/**
 * The current secrets of an app: its TOML, encrypted with a data key of its own version that the
 * master key named by keyId wraps (see secrets/crypto). The key names are kept in the clear so
 * listing them needs no decryption; values never leave the ciphertext.
 */
export const appSecrets = pgTable('app_secrets', {
  appId: uuid('app_id')
    .primaryKey()
    .references(() => apps.id, { onDelete: 'cascade' }),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  /** Grows by one with every save, so a container knows which secrets it was started with. */
  version: integer('version').notNull(),
  /** Identifier of the master key that wraps this version's data key. */
  keyId: text('key_id').notNull(),
  ciphertext: text('ciphertext').notNull(),
  keyNames: text('key_names').array().notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const auditActions = [
  'secrets.replace',
  'secrets.delete',
  'secrets.reveal',
  'webhook.rotate',
  'workspace.rename',
  'members.change_role',
  'members.remove',
  'members.leave',
  'invitations.create',
  'invitations.withdraw',
  'invitations.accept',
  'access.visibility',
  'access.list',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who changed what, when: names only (keys of secrets, never their values). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** Kept (as the name) after the app is deleted. */
    appId: uuid('app_id').references(() => apps.id, { onDelete: 'set null' }),
    appName: text('app_name'),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action', { enum: auditActions }).notNull(),
    keyNames: text('key_names').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('audit_log_workspace_created_idx').on(table.workspaceId, table.createdAt)],
);
