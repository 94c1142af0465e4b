// Renaming an app: the name is stored with its old names (each redirecting until it expires), then
// the route table follows: the app's route moves to the new name and every old name of the app
// redirects there. Postgres is written first; the Redis entries are derived from its rows.
import { and, eq, gt, lte, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { appNameRedirects, apps } from '../db/schema/apps';
import { moveRoute } from '../lifecycle/routes';
import { removeNameRedirects, writeNameRedirect } from '../routing/name-redirects';
import type { AppsDeps } from './deps';
import type { AppRow } from './views';

type Writer = Pick<Database, 'insert' | 'update' | 'delete'>;

const dayMs = 24 * 3600 * 1000;

/** Within the caller's transaction; `newName` was checked with checkNameAvailable. */
export async function storeRename(
  tx: Writer,
  app: AppRow,
  newName: string,
  redirectDays: number,
): Promise<void> {
  const now = new Date();
  // The new name may be one of the app's own old names (renamed back), or a long-expired one.
  await tx
    .delete(appNameRedirects)
    .where(
      and(
        eq(appNameRedirects.oldName, newName),
        or(eq(appNameRedirects.appId, app.id), lte(appNameRedirects.expiresAt, now)),
      ),
    );
  await tx
    .update(apps)
    .set({ name: newName, updatedAt: now })
    .where(and(eq(apps.workspaceId, app.workspaceId), eq(apps.id, app.id)));
  if (redirectDays <= 0) return;
  const expiresAt = new Date(now.getTime() + redirectDays * dayMs);
  await tx
    .insert(appNameRedirects)
    .values({ oldName: app.name, appId: app.id, workspaceId: app.workspaceId, expiresAt })
    .onConflictDoUpdate({
      target: appNameRedirects.oldName,
      set: { appId: app.id, workspaceId: app.workspaceId, expiresAt, createdAt: now },
    });
}

/** After the rename is stored: the route moves to the new name; old names redirect to it. */
export async function moveRoutes(deps: AppsDeps, app: AppRow, newName: string): Promise<void> {
  const instance = deps.config.COVE_INSTANCE;
  await moveRoute(deps, app.name, newName);
  const redirects = await deps.db
    .select()
    .from(appNameRedirects)
    .where(and(eq(appNameRedirects.appId, app.id), gt(appNameRedirects.expiresAt, new Date())));
  await removeNameRedirects(deps.redis, instance, [newName]);
  for (const redirect of redirects) {
    await writeNameRedirect(deps.redis, instance, {
      appId: app.id,
      oldName: redirect.oldName,
      toName: newName,
      expiresAt: redirect.expiresAt.toISOString(),
    });
  }
}

/** When an app is deleted: its old names stop redirecting (its rows go with the app). */
export async function forgetOldNames(deps: AppsDeps, appId: string): Promise<void> {
  const rows = await deps.db
    .select({ oldName: appNameRedirects.oldName })
    .from(appNameRedirects)
    .where(eq(appNameRedirects.appId, appId));
  await removeNameRedirects(
    deps.redis,
    deps.config.COVE_INSTANCE,
    rows.map((row) => row.oldName),
  );
}
