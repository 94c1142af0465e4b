// The Cookie header of a request to an app, for the cookies only the proxy reads on an app's host
// (the replica pin, the visitor id): read their values, and take them out before the app sees them.
import type { IncomingHttpHeaders } from 'node:http';

/** Every value the header gives `name`, in order (a browser may send a name more than once). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header.split(';').flatMap((part) => {
    const equals = part.indexOf('=');
    return equals > 0 && part.slice(0, equals).trim() === name ? [part.slice(equals + 1).trim()] : [];
  });
}

/** Removes every `name` cookie from the request; the header goes when nothing else is left. */
export function removeCookie(headers: IncomingHttpHeaders, name: string): void {
  const header = headers.cookie;
  if (!header?.includes(name)) return;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.split('=')[0]?.trim() !== name);
  if (kept.length === 0) delete headers.cookie;
  else headers.cookie = kept.join('; ');
}
