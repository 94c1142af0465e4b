// A request for a renamed app's old name: the same path on the app's new subdomain (308, so the
// method and body are kept), while the old name's grace period lasts.
import { readNameRedirect } from '@cove/shared/routing/name-redirects';
import type { Redis } from 'ioredis';

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
