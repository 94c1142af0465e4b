// Which replica of an app a browser is pinned to: a cookie of the app's host naming one replica,
// signed by the proxies (a key they share through Redis), so a viewer can neither pick a replica
// nor keep one past the pin's age; a pin to a replica that is not live (it died, a swap or a
// scale-down removed it) is replaced by a live one. The app never sees the cookie: it is taken out
// of the requests it gets and out of the answers it sends.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ReplicaEndpoint, RouteEntry } from '@cove/shared/routing/route-table';
import type { Redis } from 'ioredis';
import { visitorCookieName } from '../activity/page-views';
import { cookieValues, removeCookie } from '../forwarding/request-cookies';

export const replicaPinCookieName = 'cove_replica';
/** A pin older than this is not honoured (a fresh one is issued, to a live replica). */
export const replicaPinMaxAgeMs = 12 * 60 * 60 * 1000;

export function replicaPinKeyName(instance: string): string {
  return `cove:${instance}:replica-pin-key`;
}

/** The proxies' shared signing key: the first proxy makes it, the others read it. */
export async function loadReplicaPinKey(redis: Redis, instance: string): Promise<Buffer> {
  const name = replicaPinKeyName(instance);
  await redis.set(name, randomBytes(32).toString('base64url'), 'NX');
  const stored = await redis.get(name);
  if (!stored) throw new Error(`the replica pin key ${name} could not be read from Redis`);
  return Buffer.from(stored, 'base64url');
}

function signature(key: Buffer, appId: string, replicaId: string, issuedAtSeconds: number): string {
  return createHmac('sha256', key).update(`${appId}\n${replicaId}\n${issuedAtSeconds}`).digest('base64url');
}

export function replicaPinValue(key: Buffer, appId: string, replicaId: string, nowMs: number): string {
  const issuedAtSeconds = Math.floor(nowMs / 1000);
  return `${replicaId}.${issuedAtSeconds}.${signature(key, appId, replicaId, issuedAtSeconds)}`;
}

/** The replica a valid, unexpired pin of this app names, or null (none, forged, expired, another app's). */
export function readReplicaPin(
  headers: IncomingHttpHeaders,
  key: Buffer,
  appId: string,
  nowMs: number,
): string | null {
  for (const value of cookieValues(headers.cookie, replicaPinCookieName)) {
    const [replicaId, issued, signed, ...rest] = value.split('.');
    if (!replicaId || !issued || !signed || rest.length > 0 || !/^\d{1,12}$/.test(issued)) continue;
    const issuedAtSeconds = Number(issued);
    const expected = Buffer.from(signature(key, appId, replicaId, issuedAtSeconds));
    const given = Buffer.from(signed);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) continue;
    const ageMs = nowMs - issuedAtSeconds * 1000;
    if (ageMs < -60_000 || ageMs > replicaPinMaxAgeMs) continue;
    return replicaId;
  }
  return null;
}

/** Takes the pin out of the request before it reaches the app (its code can read its headers). */
export function stripReplicaPin(headers: IncomingHttpHeaders): void {
  removeCookie(headers, replicaPinCookieName);
}

/** A browser-session cookie of the app's host only: HttpOnly, SameSite=Lax, Secure over https. */
export function replicaPinCookie(value: string, options: { isSecure: boolean }): string {
  const attributes = [`${replicaPinCookieName}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.isSecure) attributes.push('Secure');
  return attributes.join('; ');
}

/** True for an app's Set-Cookie that would write (or clear) the proxy's pin: it is dropped. */
export function isReplicaPinSetCookie(value: string): boolean {
  return value.slice(0, value.indexOf('=')).trim() === replicaPinCookieName;
}

/** The cookies only the proxy writes on an app's host: the pin and the visitor id (activity/page-views). */
function isProxySetCookie(value: string): boolean {
  const name = value.slice(0, value.indexOf('=')).trim();
  return name === replicaPinCookieName || name === visitorCookieName;
}

export interface PinnedUpstream {
  replica: ReplicaEndpoint;
  /** A Set-Cookie to send with the answer: the pin is new (none, invalid, or its replica is gone). */
  setCookie: string | null;
}

/**
 * The replica this request goes to: the pinned one while it is live, else the live one with the
 * fewest open sessions here (ties broken at random), pinned from now on. Null: nothing is live.
 */
export function pinReplica(
  route: RouteEntry,
  headers: IncomingHttpHeaders,
  options: {
    key: Buffer;
    nowMs: number;
    isSecure: boolean;
    sessionsOf: (replicaId: string) => number;
    random?: () => number;
  },
): PinnedUpstream | null {
  const replicas = route.replicas ?? (route.upstream ? [{ id: 'primary', node: '', ...route.upstream }] : []);
  if (replicas.length === 0) return null;
  const pinned = readReplicaPin(headers, options.key, route.appId, options.nowMs);
  const kept = pinned === null ? undefined : replicas.find((replica) => replica.id === pinned);
  if (kept) return { replica: kept, setCookie: null };
  const fewest = Math.min(...replicas.map((replica) => options.sessionsOf(replica.id)));
  const candidates = replicas.filter((replica) => options.sessionsOf(replica.id) === fewest);
  const random = options.random ?? Math.random;
  const chosen = candidates[Math.floor(random() * candidates.length)] ?? candidates[0] ?? replicas[0];
  if (!chosen) return null;
  const value = replicaPinValue(options.key, route.appId, chosen.id, options.nowMs);
  return { replica: chosen, setCookie: replicaPinCookie(value, { isSecure: options.isSecure }) };
}

/**
 * An answer's headers (name, value, ...) as the browser gets them: no proxy cookie the app wrote,
 * the proxy's new ones (a pin, a visitor id) if any.
 */
export function answerHeadersWithPin(
  headers: readonly string[],
  ...setCookies: ReadonlyArray<string | null>
): string[] {
  const kept: string[] = [];
  for (let index = 0; index + 1 < headers.length; index += 2) {
    const name = headers[index] ?? '';
    const value = headers[index + 1] ?? '';
    if (name.toLowerCase() === 'set-cookie' && isProxySetCookie(value)) continue;
    kept.push(name, value);
  }
  for (const setCookie of setCookies) if (setCookie !== null) kept.push('set-cookie', setCookie);
  return kept;
}

/** The same for the app's 101 to a WebSocket upgrade, as its raw head (ending in a blank line). */
export function upgradeAnswerWithPin(head: string, setCookie: string | null): string {
  const lines = head.slice(0, -4).split('\r\n');
  const kept = lines.filter((line, index) => {
    if (index === 0) return true;
    const colon = line.indexOf(':');
    const isSetCookie = line.slice(0, colon).trim().toLowerCase() === 'set-cookie';
    return !(isSetCookie && isProxySetCookie(line.slice(colon + 1)));
  });
  if (setCookie !== null) kept.push(`set-cookie: ${setCookie}`);
  return `${kept.join('\r\n')}\r\n\r\n`;
}
