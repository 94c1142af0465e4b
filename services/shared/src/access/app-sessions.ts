// Sessions on a private app's host, in Redis: the cookie holds a random id, Redis maps its SHA-256
// to who it is for. Each is indexed by the dashboard session that made it, so signing out of the
// dashboard ends them all (and tells the proxies to close their WebSockets).
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type AccessTokenClaims, accessTokenLifetimeMs } from './tokens';

/** An app session lasts at most this long (and never past its dashboard session). */
export const appSessionLifetimeMs = 12 * 3600 * 1000;

export const appSessionCookieName = 'cove_app_session';

export const appSession = z.object({
  appId: z.uuid(),
  appName: z.string(),
  userId: z.uuid(),
  email: z.string(),
  dashboardSessionId: z.string(),
  expiresAtMs: z.number().int(),
});
export type AppSession = z.infer<typeof appSession>;

export function accessKeys(instance: string) {
  const prefix = `cove:${instance}:access`;
  return {
    session: (sessionHash: string) => `${prefix}:app-session:${sessionHash}`,
    byDashboardSession: (dashboardSessionId: string) =>
      `${prefix}:by-dashboard-session:${dashboardSessionId}`,
    /** Set when a dashboard session signs out, so a token it minted just before cannot open a session. */
    signedOut: (dashboardSessionId: string) => `${prefix}:signed-out:${dashboardSessionId}`,
    usedToken: (tokenId: string) => `${prefix}:used-token:${tokenId}`,
    /** Pub/sub: a JSON array of ended app session hashes. */
    endedChannel: `${prefix}:sessions-ended`,
  };
}

/** What the cookie holds is never stored: only its digest. */
export function appSessionHash(cookieValue: string): string {
  return createHash('sha256').update(cookieValue, 'utf8').digest('hex');
}

// Atomic: the token is spent, the dashboard session has not signed out, then the session is stored
// and indexed. KEYS: used token, signed-out marker, session, index. ARGV: token ttl, session JSON,
// session ttl, session hash.
const exchangeScript = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') == false then return 'reused' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'signed_out' end
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[4], ARGV[4])
if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
return 'ok'
`;

export type TokenExchange =
  | { kind: 'ok'; cookieValue: string; session: AppSession }
  | { kind: 'reused' | 'signed_out' | 'session_over' };

/** Spends a verified token (once) for a new app session; the caller sets the cookie. */
export async function exchangeAccessToken(
  redis: Redis,
  instance: string,
  claims: AccessTokenClaims,
  now: Date = new Date(),
): Promise<TokenExchange> {
  const expiresAtMs = Math.min(now.getTime() + appSessionLifetimeMs, claims.dashboardSessionExpiresAtMs);
  const ttlMs = expiresAtMs - now.getTime();
  if (ttlMs <= 0) return { kind: 'session_over' };
  const cookieValue = randomBytes(32).toString('base64url');
  const session = appSession.parse({
    appId: claims.appId,
    appName: claims.appName,
    userId: claims.userId,
    email: claims.email,
    dashboardSessionId: claims.dashboardSessionId,
    expiresAtMs,
  });
  const keys = accessKeys(instance);
  const hash = appSessionHash(cookieValue);
  const outcome = await redis.eval(
    exchangeScript,
    4,
    keys.usedToken(claims.id),
    keys.signedOut(claims.dashboardSessionId),
    keys.session(hash),
    keys.byDashboardSession(claims.dashboardSessionId),
    String(accessTokenLifetimeMs * 2),
    JSON.stringify(session),
    String(ttlMs),
    hash,
  );
  if (outcome === 'ok') return { kind: 'ok', cookieValue, session };
  return { kind: outcome === 'signed_out' ? 'signed_out' : 'reused' };
}

/** The live session a cookie value names, or null (unknown, ended, expired or unreadable). */
export async function readAppSession(
  redis: Redis,
  instance: string,
  cookieValue: string,
  now: Date = new Date(),
): Promise<AppSession | null> {
  if (cookieValue.length === 0 || cookieValue.length > 256) return null;
  const raw = await redis.get(accessKeys(instance).session(appSessionHash(cookieValue)));
  if (raw === null) return null;
  let parsed: ReturnType<typeof appSession.safeParse>;
  try {
    parsed = appSession.safeParse(JSON.parse(raw));
  } catch {
    return null;
  }
  if (!parsed.success || parsed.data.expiresAtMs <= now.getTime()) return null;
  return parsed.data;
}

/**
 * Ends every app session made from a dashboard session (at sign-out). The marker goes first: an
 * exchange after it is refused, one before it is already in the index read next.
 */
export async function endAppSessionsOf(
  redis: Redis,
  instance: string,
  dashboardSessionId: string,
): Promise<number> {
  const keys = accessKeys(instance);
  await redis.set(keys.signedOut(dashboardSessionId), '1', 'PX', accessTokenLifetimeMs * 10);
  const index = keys.byDashboardSession(dashboardSessionId);
  const hashes = await redis.smembers(index);
  if (hashes.length > 0) {
    await redis.del(...hashes.map((hash) => keys.session(hash)), index);
    await redis.publish(keys.endedChannel, JSON.stringify(hashes));
  }
  return hashes.length;
}

export function parseEndedMessage(message: string): string[] {
  try {
    const parsed = z.array(z.string()).safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
