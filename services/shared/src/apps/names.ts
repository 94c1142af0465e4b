// Which names an app may take: not one the platform keeps for itself, not another app's, and not
// a renamed app's old name while it still redirects.
import { and, eq, gt, ne } from 'drizzle-orm';
import type { CommonConfig } from '../config/schemas';
import { dashboardLookalikeName } from '../config/sites';
import type { Database } from '../db/client';
import { appNameRedirects, apps } from '../db/schema/apps';
import { CoveError } from '../errors';

/** Subdomains the platform may want for itself. */
const reservedNames = new Set([
  'www',
  'api',
  'app',
  'apps',
  'admin',
  'dashboard',
  'cove',
  'static',
  'status',
]);

export function nameTaken(name: string): CoveError {
  const message = `The name ${name} is taken; choose another.`;
  return new CoveError('conflict', message, { fields: { name: message } });
}

/** Kept for the platform, and the dashboard's own first label when an app could pass for it. */
export function isReservedName(
  config: Pick<CommonConfig, 'COVE_DASHBOARD_URL' | 'COVE_APPS_DOMAIN'>,
  name: string,
): boolean {
  return (
    reservedNames.has(name) ||
    name === dashboardLookalikeName(config.COVE_DASHBOARD_URL, config.COVE_APPS_DOMAIN)
  );
}

/** Throws nameTaken unless `name` is free; `forAppId` may take back its own old names. */
export async function checkNameAvailable(
  deps: { db: Database; config: Pick<CommonConfig, 'COVE_DASHBOARD_URL' | 'COVE_APPS_DOMAIN'> },
  name: string,
  forAppId?: string,
): Promise<void> {
  const { db } = deps;
  if (isReservedName(deps.config, name)) throw nameTaken(name);
  const [existing] = await db.select({ id: apps.id }).from(apps).where(eq(apps.name, name));
  if (existing) throw nameTaken(name);
  const [redirect] = await db
    .select({ appId: appNameRedirects.appId, expiresAt: appNameRedirects.expiresAt })
    .from(appNameRedirects)
    .where(
      and(
        eq(appNameRedirects.oldName, name),
        gt(appNameRedirects.expiresAt, new Date()),
        ...(forAppId ? [ne(appNameRedirects.appId, forAppId)] : []),
      ),
    );
  if (redirect) {
    const message = `The name ${name} belonged to an app that was renamed; it stays reserved for redirects until ${redirect.expiresAt.toISOString().slice(0, 10)}. Choose another.`;
    throw new CoveError('conflict', message, { fields: { name: message } });
  }
}
