// A request for a renamed app's old name: the same path on the app's new subdomain (308, so the
// method and body are kept), while the old name's grace period lasts. A WebSocket upgrade cannot
// follow a redirect (a tab opened before the rename reconnects to the old host), so it is served
// from the app's current route instead.
import { appUrl, type CommonConfig } from '@cove/shared/config/schemas';
import { readNameRedirect } from '@cove/shared/routing/name-redirects';
import type { Redis } from 'ioredis';
import { type IsPrivateApp, type Resolution, resolveAppName } from './resolve';
import type { RouteCache } from './route-cache';

/**
 * The Location for a request to `oldName` (its path), or null when there is no redirect. Built from
 * the configured apps address, never from the Host the client sent (which may name any host).
 */
export async function renamedLocation(
  redis: Redis,
  options: { config: CommonConfig; oldName: string; path: string },
): Promise<string | null> {
  const { config } = options;
  const redirect = await readNameRedirect(redis, config.COVE_INSTANCE, options.oldName);
  if (redirect === null) return null;
  // appUrl ends with '/'; a target that is not a path (absolute-form, '*') goes to the app's root.
  const root = appUrl(config, redirect.toName);
  return options.path.startsWith('/') ? `${root}${options.path.slice(1)}` : root;
}

/** For an upgrade to `oldName`: the app's current route, or null when the name has no redirect. */
export async function resolveRenamedApp(
  redis: Redis,
  routes: RouteCache,
  options: { instance: string; oldName: string; isPrivate: IsPrivateApp },
): Promise<Resolution | null> {
  const redirect = await readNameRedirect(redis, options.instance, options.oldName);
  if (redirect === null) return null;
  const resolution = resolveAppName(redirect.toName, routes, options.isPrivate);
  // The name was taken over (by another app) in the meantime: the redirect no longer applies.
  if (resolution.kind !== 'problem' && resolution.appId !== redirect.appId) return null;
  return resolution;
}
