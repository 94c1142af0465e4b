// The address verification link's token: signed claims (which verification row, whose account,
// which address, until when) so a forged or edited link is refused before the database is asked.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const keyInfo = 'cove email verification links v1';

export const verificationClaims = z.object({
  /** The email_verifications row: it makes the link single use. */
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string().min(3).max(320),
  expiresAtMs: z.number().int(),
});
export type VerificationClaims = z.infer<typeof verificationClaims>;

export type VerificationTokenCheck =
  | { isValid: true; claims: VerificationClaims }
  | { isValid: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function signature(masterKeyBase64: string, payload: string): Buffer {
  const masterKey = Buffer.from(masterKeyBase64, 'base64');
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), keyInfo, 32));
  return createHmac('sha256', key).update(payload).digest();
}

export function signVerificationToken(masterKeyBase64: string, claims: VerificationClaims): string {
  const payload = Buffer.from(JSON.stringify(verificationClaims.parse(claims))).toString('base64url');
  return `${payload}.${signature(masterKeyBase64, payload).toString('base64url')}`;
}

function decodeClaims(payload: string): VerificationClaims | null {
  try {
    const parsed = verificationClaims.safeParse(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Checks the signature against every key of the ring (a rotation in progress), then the expiry. */
export function checkVerificationToken(
  token: string,
  masterKeysBase64: readonly string[],
  now: Date,
): VerificationTokenCheck {
  const parts = token.split('.');
  const [payload, mac] = parts;
  if (parts.length !== 2 || !payload || !mac || token.length > 2048) {
    return { isValid: false, reason: 'malformed' };
  }
  const given = Buffer.from(mac, 'base64url');
  const isSigned = masterKeysBase64.some((masterKey) => {
    const wanted = signature(masterKey, payload);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  });
  if (!isSigned) return { isValid: false, reason: 'bad_signature' };
  const claims = decodeClaims(payload);
  if (claims === null) return { isValid: false, reason: 'malformed' };
  if (claims.expiresAtMs <= now.getTime()) return { isValid: false, reason: 'expired' };
  return { isValid: true, claims };
}
