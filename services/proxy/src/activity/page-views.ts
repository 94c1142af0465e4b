// What counts as a view of an app (a browser loading its page, not the page's assets, components
// or WebSocket), and the anonymous visitor cookie that tells a public app's browsers apart: a
// cookie of the app's host, like the replica pin, taken out of every request so the app never
// sees it, and out of the app's answers so the app cannot set it.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

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

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return null;
}

/** The browser's visitor id when it sent a well-formed one. */
export function readVisitorId(headers: IncomingHttpHeaders): string | null {
  const value = cookieValue(headers.cookie, visitorCookieName);
  return value !== null && visitorIdShape.test(value) ? value : null;
}

export function newVisitorId(): string {
  return randomBytes(16).toString('base64url');
}

export function stripVisitorCookie(headers: IncomingHttpHeaders): void {
  const header = headers.cookie;
  if (!header?.includes(visitorCookieName)) return;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.split('=')[0]?.trim() !== visitorCookieName);
  if (kept.length === 0) delete headers.cookie;
  else headers.cookie = kept.join('; ');
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
