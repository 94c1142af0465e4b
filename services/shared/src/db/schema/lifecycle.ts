import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apps } from './apps';
import { deployments } from './deployments';
import { users, workspaces } from './identity';

/** Who or what changed a status: a person, or one of the platform's own processes. */
export const transitionActors = ['user', 'builder', 'reconciler', 'webhook'] as const;
export type TransitionActor = (typeof transitionActors)[number];

/** Whose status changed: the app's, or one of its deployments'. */
export const transitionSubjects = ['app', 'deployment'] as const;
export type TransitionSubject = (typeof transitionSubjects)[number];

/**
 * Every status change of an app or one of its deployments, written by lifecycle/ in the same
 * transaction as the change: the app's history, newest last.
 */
export const appTransitions = pgTable(
  'app_transitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The deployment concerned (always set when the subject is a deployment). */
    deploymentId: uuid('deployment_id').references(() => deployments.id, { onDelete: 'cascade' }),
    subject: text('subject', { enum: transitionSubjects }).notNull(),
    /** Null when the row was created with this status. */
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actor: text('actor', { enum: transitionActors }).notNull(),
    /** Set when the actor is a user (null once the account is deleted). */
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Why, in the words the app page shows. */
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('app_transitions_app_idx').on(table.appId, table.id)],
);
