// The one-minute pass that carries a dashboard sign-in to a private app's subdomain: the dashboard
// signs it, the proxy checks it and trades it (once) for a cookie on the app's host.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** A token is good for this long after it is minted: enough for one redirect. */
export const accessTokenLifetimeMs = 60_000;

const keyInfo = 'cove private app access tokens v1';

export const accessTokenClaims = z.object({
  /** Random id: the proxy accepts each id once. */
  id: z.string().min(16).max(64),
  appName: z.string().min(1).max(63),
  appId: z.uuid(),
  userId: z.uuid(),
  email: z.string().min(3).max(320),
  /** The dashboard session's row id (SHA-256 of its cookie): signing out ends what it made. */
  dashboardSessionId: z.string().regex(/^[0-9a-f]{64}$/),
  /** The dashboard session's end: an app session never outlives it. */
  dashboardSessionExpiresAtMs: z.number().int(),
  expiresAtMs: z.number().int(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

export type AccessTokenCheck =
  | { isValid: true; claims: AccessTokenClaims }
  | { isValid: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'wrong_app' };

/** The signing key, derived from a master key (base64) so the master key itself signs nothing. */
export function accessTokenKey(masterKeyBase64: string): Buffer {
  const masterKey = Buffer.from(masterKeyBase64, 'base64');
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), keyInfo, 32));
}

function signature(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

export function signAccessToken(
  masterKeyBase64: string,
  claims: Omit<AccessTokenClaims, 'id' | 'expiresAtMs'>,
  now: Date = new Date(),
): { token: string; claims: AccessTokenClaims } {
  const full = accessTokenClaims.parse({
    ...claims,
    id: randomBytes(18).toString('base64url'),
    expiresAtMs: now.getTime() + accessTokenLifetimeMs,
  });
  const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
  const mac = signature(accessTokenKey(masterKeyBase64), payload).toString('base64url');
  return { token: `${payload}.${mac}`, claims: full };
}

function decodeClaims(payload: string): AccessTokenClaims | null {
  try {
    const parsed = accessTokenClaims.safeParse(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Checks the signature (against every key of the ring, for a master key rotation in progress),
 * the expiry and the app. Single use is checked apart, in Redis (app-sessions.ts).
 */
export function verifyAccessToken(
  token: string,
  masterKeysBase64: readonly string[],
  expected: { appName: string; now?: Date },
): AccessTokenCheck {
  const parts = token.split('.');
  const [payload, mac] = parts;
  if (parts.length !== 2 || !payload || !mac || token.length > 4096) {
    return { isValid: false, reason: 'malformed' };
  }
  const given = Buffer.from(mac, 'base64url');
  const isSigned = masterKeysBase64.some((masterKey) => {
    const wanted = signature(accessTokenKey(masterKey), payload);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  });
  if (!isSigned) return { isValid: false, reason: 'bad_signature' };
  const claims = decodeClaims(payload);
  if (claims === null) return { isValid: false, reason: 'malformed' };
  const now = (expected.now ?? new Date()).getTime();
  if (claims.expiresAtMs <= now) return { isValid: false, reason: 'expired' };
  if (claims.appName !== expected.appName) return { isValid: false, reason: 'wrong_app' };
  return { isValid: true, claims };
}
