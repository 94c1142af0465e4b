// Where to send a person back after a sign-in or an access check: only a path on the same site,
// never another origin (no open redirect through ?return= or ?next=).
import { accessPageQuery } from '../contracts/access';

const probeOrigin = 'http://return-path.invalid';

/**
 * The path and query of `value` when it is a plain absolute path ("/page?x=1"), else `fallback`.
 * Refuses "//host", "/\host" (browsers read the backslash as a slash), schemes and control characters.
 */
export function safeReturnPath(value: string | null | undefined, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith('/') || value.startsWith('//')) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, probeOrigin);
  } catch {
    return fallback;
  }
  if (url.origin !== probeOrigin) return fallback;
  return `${url.pathname}${url.search}`;
}

/** The dashboard's access page for an app: where to come back after signing in. */
export function accessPagePath(appName: string, returnPath: string): string {
  return `/access?${new URLSearchParams({ app: appName, return: returnPath })}`;
}

/** The app an access page path (accessPagePath) is for; undefined for any other path. */
export function appOfAccessPath(path: string): string | undefined {
  const url = new URL(path, probeOrigin);
  if (url.pathname !== '/access') return undefined;
  const query = accessPageQuery.safeParse(Object.fromEntries(url.searchParams));
  return query.success ? query.data.app : undefined;
}
