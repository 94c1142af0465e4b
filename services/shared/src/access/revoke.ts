// Access ends when it is taken away: a member who leaves or is removed, or an email taken off an
// app's access list, loses the app sessions that access gave, at once rather than when they expire.
// A person who may still open an app another way (listed, or a member) keeps that app's session.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { CommonConfig } from '../config/schemas';
import type { Database } from '../db/client';
import { appAccessEmails, apps } from '../db/schema/apps';
import { memberships, users } from '../db/schema/identity';
import { endAppSessionsOfUser } from './app-sessions';

export interface RevokeDeps {
  db: Database;
  redis: Redis;
  config: Pick<CommonConfig, 'COVE_INSTANCE'>;
}

/** Call after the membership is deleted: ends the person's sessions on the workspace's apps. */
export async function endAccessOfFormerMember(
  deps: RevokeDeps,
  workspaceId: string,
  user: { userId: string; email: string },
): Promise<number> {
  const workspaceApps = await deps.db
    .select({ id: apps.id })
    .from(apps)
    .where(eq(apps.workspaceId, workspaceId));
  const listed = await deps.db
    .select({ appId: appAccessEmails.appId })
    .from(appAccessEmails)
    .where(
      and(
        eq(appAccessEmails.workspaceId, workspaceId),
        eq(appAccessEmails.email, user.email.trim().toLowerCase()),
      ),
    );
  const stillListed = new Set(listed.map((row) => row.appId));
  const appIds = workspaceApps.map((row) => row.id).filter((id) => !stillListed.has(id));
  return endAppSessionsOfUser(deps.redis, deps.config.COVE_INSTANCE, user.userId, appIds);
}

/** Call after emails left an app's access list: ends those people's sessions on it, members aside. */
export async function endAccessOfUnlisted(
  deps: RevokeDeps,
  workspaceId: string,
  appId: string,
  emails: readonly string[],
): Promise<number> {
  if (emails.length === 0) return 0;
  const people = await deps.db
    .select({ userId: users.id, memberUserId: memberships.userId })
    .from(users)
    .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.workspaceId, workspaceId)))
    .where(
      inArray(
        sql`lower(${users.email})`,
        emails.map((email) => email.trim().toLowerCase()),
      ),
    );
  let ended = 0;
  for (const person of people) {
    if (person.memberUserId !== null) continue;
    ended += await endAppSessionsOfUser(deps.redis, deps.config.COVE_INSTANCE, person.userId, [appId]);
  }
  return ended;
}
