// What counts as a view of an app (a browser loading its page, not the page's assets, components
// or WebSocket), and the anonymous visitor cookie that tells a public app's browsers apart: a
// cookie of the app's host, like the replica pin, taken out of every request so the app never
// sees it, and out of the app's answers so the app cannot set it.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { cookieValues, removeCookie } from '../forwarding/request-cookies';

export const visitorCookieName = 'cove_visitor';
const visitorCookieMaxAgeSeconds = 365 * 24 * 60 * 60;
const visitorIdShape = /^[A-Za-z0-9_-]{16,64}$/;

/** Streamlit's own paths for assets, components, media and its WebSocket: never a page load. */
const assetPrefixes = ['/_stcore/', '/static/', '/component/', '/media/', '/app/static/', '/~/'];

export function isPageLoad(request: IncomingMessage): boolean {
  if (request.method !== 'GET') return false;
  const path = request.url ?? '/';
  if (path.endsWith('.js') || path.endsWith('.css') || path.endsWith('.ico')) return false;
  for (const prefix of assetPrefixes) if (path.startsWith(prefix)) return false;
  const destination = request.headers['sec-fetch-dest'];
  // Browsers say what they fetch; an embedded app (?embed=true) is a view too.
  if (destination !== undefined) return destination === 'document' || destination === 'iframe';
  return request.headers.accept?.includes('text/html') ?? false;
}

/** The browser's visitor id when it sent a well-formed one. */
export function readVisitorId(headers: IncomingHttpHeaders): string | null {
  const value = cookieValues(headers.cookie, visitorCookieName)[0];
  return value !== undefined && visitorIdShape.test(value) ? value : null;
}

export function newVisitorId(): string {
  return randomBytes(16).toString('base64url');
}

export function stripVisitorCookie(headers: IncomingHttpHeaders): void {
  removeCookie(headers, visitorCookieName);
}

/** A year-long cookie of the app's host only: HttpOnly, SameSite=Lax, Secure over https. */
export function visitorCookie(visitorId: string, options: { isSecure: boolean }): string {
  const attributes = [
    `${visitorCookieName}=${visitorId}`,
    'Path=/',
    `Max-Age=${visitorCookieMaxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (options.isSecure) attributes.push('Secure');
  return attributes.join('; ');
}
