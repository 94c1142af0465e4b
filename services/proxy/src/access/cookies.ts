// The app session cookie on a private app's host: read it, keep it from the app, and set it.
import type { IncomingHttpHeaders } from 'node:http';
import { appSessionCookieName } from '@cove/shared/access/app-sessions';

function cookiePairs(header: string | undefined): Array<{ name: string; raw: string; value: string }> {
  if (!header) return [];
  return header.split(';').flatMap((part) => {
    const equals = part.indexOf('=');
    if (equals < 0) return [];
    return [{ name: part.slice(0, equals).trim(), raw: part.trim(), value: part.slice(equals + 1).trim() }];
  });
}

/** The app session cookie's value, or null. */
export function readAppSessionCookie(headers: IncomingHttpHeaders): string | null {
  const pair = cookiePairs(headers.cookie).find((candidate) => candidate.name === appSessionCookieName);
  return pair?.value ? pair.value : null;
}

/**
 * Removes the platform's cookie before the request reaches the app: the app's code can read its
 * request headers, and the viewer's session is not its to hold.
 */
export function stripAppSessionCookie(headers: IncomingHttpHeaders): void {
  const pairs = cookiePairs(headers.cookie);
  if (!pairs.some((pair) => pair.name === appSessionCookieName)) return;
  const kept = pairs.filter((pair) => pair.name !== appSessionCookieName).map((pair) => pair.raw);
  if (kept.length === 0) delete headers.cookie;
  else headers.cookie = kept.join('; ');
}

/** Host-only (no Domain), HttpOnly, SameSite=Lax, Secure when apps are served over https. */
export function appSessionCookie(value: string, expiresAtMs: number, options: { isSecure: boolean }): string {
  const attributes = [
    `${appSessionCookieName}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${new Date(expiresAtMs).toUTCString()}`,
  ];
  if (options.isSecure) attributes.push('Secure');
  return attributes.join('; ');
}
