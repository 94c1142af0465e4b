// Random bearer secrets (session cookies, API tokens) and the SHA-256 digests stored in their place,
// so a leaked database holds no usable credential.
import { createHash, randomBytes } from 'node:crypto';

const tokenLengthBytes = 32;

/** 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(tokenLengthBytes).toString('base64url');
}

/** Hex SHA-256 of a token: what the database stores and looks up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
