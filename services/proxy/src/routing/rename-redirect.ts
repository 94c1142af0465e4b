// A request for a renamed app's old name: the same path on the app's new subdomain (308, so the
// method and body are kept), while the old name's grace period lasts. A WebSocket upgrade cannot
// follow a redirect (a tab opened before the rename reconnects to the old host), so it is served
// from the app's current route instead.
import { readNameRedirect } from '@cove/shared/routing/name-redirects';
import type { Redis } from 'ioredis';
import { type Resolution, resolveAppName } from './resolve';
import type { RouteCache } from './route-cache';

/** The Location for a request to `oldName` (its Host and path), or null when there is no redirect. */
export async function renamedLocation(
  redis: Redis,
  options: { instance: string; scheme: string; oldName: string; host: string; path: string },
): Promise<string | null> {
  const redirect = await readNameRedirect(redis, options.instance, options.oldName);
  if (redirect === null) return null;
  // Only the first label changes, so the domain and port the client used are kept.
  const newHost = `${redirect.toName}${options.host.slice(options.oldName.length)}`;
  return `${options.scheme}://${newHost}${options.path}`;
}

/** For an upgrade to `oldName`: the app's current route, or null when the name has no redirect. */
export async function resolveRenamedApp(
  redis: Redis,
  routes: RouteCache,
  options: { instance: string; oldName: string },
): Promise<Resolution | null> {
  const redirect = await readNameRedirect(redis, options.instance, options.oldName);
  if (redirect === null) return null;
  const resolution = resolveAppName(redirect.toName, routes);
  // The name was taken over (by another app) in the meantime: the redirect no longer applies.
  if (resolution.kind !== 'problem' && resolution.appId !== redirect.appId) return null;
  return resolution;
}
