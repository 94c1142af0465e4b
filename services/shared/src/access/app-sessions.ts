// Sessions on a private app's host, in Redis: the cookie holds a random id, Redis maps its SHA-256
// to who it is for. Each is indexed by the dashboard session that made it, so signing out of the
// dashboard ends them all (and tells the proxies to close their WebSockets), and by its user, so
// taking a person's access away (removed member, shortened access list) ends theirs at once.
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
    byUser: (userId: string) => `${prefix}:by-user:${userId}`,
    /** When a person's access to an app was taken away (ms): tokens minted before it are refused. */
    revoked: (userId: string, appId: string) => `${prefix}:revoked:${userId}:${appId}`,
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

// Atomic: the token is spent, the dashboard session has not signed out, the person's access to the
// app was not taken away after the token was minted, then the session is stored and indexed.
// KEYS: used token, signed-out marker, session, index by dashboard session, index by user, revoked
// marker. ARGV: token ttl, session JSON, session ttl, session hash, token minted at (ms).
const exchangeScript = `
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') == false then return 'reused' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'signed_out' end
local revokedAt = redis.call('GET', KEYS[6])
if revokedAt and tonumber(revokedAt) >= tonumber(ARGV[5]) then return 'revoked' end
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
for index = 4, 5 do
  redis.call('SADD', KEYS[index], ARGV[4])
  if redis.call('PTTL', KEYS[index]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[index], ARGV[3]) end
end
return 'ok'
`;

/**
 * A token whose access was decided just before the change but signed just after it is refused
 * too: the revoked marker covers tokens minted up to this long after it.
 */
const revocationMarginMs = 1000;

export type TokenExchange =
  | { kind: 'ok'; cookieValue: string; session: AppSession }
  | { kind: 'reused' | 'signed_out' | 'revoked' | 'session_over' };

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
    6,
    keys.usedToken(claims.id),
    keys.signedOut(claims.dashboardSessionId),
    keys.session(hash),
    keys.byDashboardSession(claims.dashboardSessionId),
    keys.byUser(claims.userId),
    keys.revoked(claims.userId, claims.appId),
    String(accessTokenLifetimeMs * 2),
    JSON.stringify(session),
    String(ttlMs),
    hash,
    String(claims.expiresAtMs - accessTokenLifetimeMs),
  );
  if (outcome === 'ok') return { kind: 'ok', cookieValue, session };
  if (outcome === 'signed_out' || outcome === 'revoked') return { kind: outcome };
  return { kind: 'reused' };
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

/**
 * Ends one person's app sessions on the given apps (their access was taken away), and tells the
 * proxies to close their WebSockets. The revoked markers go first, as with sign-out: a token minted
 * before them is refused, a session made before them is already in the index read next.
 */
export async function endAppSessionsOfUser(
  redis: Redis,
  instance: string,
  userId: string,
  appIds: readonly string[],
  now: Date = new Date(),
): Promise<number> {
  if (appIds.length === 0) return 0;
  const keys = accessKeys(instance);
  const revokedAtMs = String(now.getTime() + revocationMarginMs);
  for (const appId of appIds) {
    await redis.set(keys.revoked(userId, appId), revokedAtMs, 'PX', accessTokenLifetimeMs * 2);
  }
  const index = keys.byUser(userId);
  const hashes = await redis.smembers(index);
  if (hashes.length === 0) return 0;
  const stored = await redis.mget(...hashes.map((hash) => keys.session(hash)));
  const wanted = new Set(appIds);
  const ended: string[] = [];
  const gone: string[] = [];
  hashes.forEach((hash, position) => {
    const raw = stored[position];
    if (raw === null || raw === undefined) gone.push(hash);
    else {
      const appId = sessionAppId(raw);
      if (appId === null || wanted.has(appId)) ended.push(hash);
    }
  });
  if (ended.length > 0) await redis.del(...ended.map((hash) => keys.session(hash)));
  if (ended.length + gone.length > 0) await redis.srem(index, ...ended, ...gone);
  if (ended.length > 0) await redis.publish(keys.endedChannel, JSON.stringify(ended));
  return ended.length;
}

/** The app a stored session is for; an unreadable one counts as for every app (so it is ended). */
function sessionAppId(raw: string): string | null {
  try {
    const parsed = appSession.pick({ appId: true }).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data.appId : null;
  } catch {
    return null;
  }
}

export function parseEndedMessage(message: string): string[] {
  try {
    const parsed = z.array(z.string()).safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
