// AES-256-GCM for values Cove must read back (webhook secrets, app secrets). Each value gets a
// fresh data key and nonce; the data key is wrapped by the master key, whose identifier is stored
// beside it so a wrong key is named rather than tried, and a rotation can re-wrap data keys
// without touching the bodies. The app and workspace ids are bound in as associated data, so a
// ciphertext cannot move to another tenant.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** v1 (no key id) is still read; every new value is v2: v2.<keyId>.<wrapped data key>.<body>. */
const legacyVersion = 'v1';
const version = 'v2';

export interface CipherContext {
  workspaceId: string;
  appId: string;
  purpose: string;
}

/** The master key is not the one that sealed the value (or the value was altered). */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

/** A short, one-way identifier of a master key: safe to store and to print. */
export function masterKeyId(masterKeyBase64: string): string {
  return createHash('sha256')
    .update('cove-master-key-id:')
    .update(Buffer.from(masterKeyBase64, 'base64'))
    .digest('hex')
    .slice(0, 16);
}

function associatedData(context: CipherContext): Buffer {
  return Buffer.from(`${context.workspaceId}/${context.appId}/${context.purpose}`);
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer, what: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    throw new DecryptionError(
      `The ${what} could not be decrypted: it was sealed for another app or key, or it was altered.`,
    );
  }
}

interface SealedParts {
  keyId: string | null;
  wrappedKey: Buffer;
  body: Buffer;
}

function splitCiphertext(ciphertext: string): SealedParts {
  const parts = ciphertext.split('.');
  if (parts[0] === legacyVersion && parts.length === 3 && parts[1] && parts[2]) {
    return {
      keyId: null,
      wrappedKey: Buffer.from(parts[1], 'base64'),
      body: Buffer.from(parts[2], 'base64'),
    };
  }
  if (parts[0] === version && parts.length === 4 && parts[1] && parts[2] && parts[3]) {
    return {
      keyId: parts[1],
      wrappedKey: Buffer.from(parts[2], 'base64'),
      body: Buffer.from(parts[3], 'base64'),
    };
  }
  throw new DecryptionError('Unrecognised ciphertext format');
}

function joinCiphertext(keyId: string, wrappedKey: Buffer, body: Buffer): string {
  return [version, keyId, wrappedKey.toString('base64'), body.toString('base64')].join('.');
}

/** The identifier of the master key a ciphertext was sealed with (null for legacy v1 values). */
export function ciphertextKeyId(ciphertext: string): string | null {
  return splitCiphertext(ciphertext).keyId;
}

/** The current master key first, then any previous one still accepted while a rotation runs. */
export type MasterKeys = string | readonly string[];

function unwrapDataKey(masterKeys: MasterKeys, parts: SealedParts, aad: Buffer): Buffer {
  const keys = typeof masterKeys === 'string' ? [masterKeys] : masterKeys;
  const key =
    parts.keyId === null ? keys[0] : keys.find((candidate) => masterKeyId(candidate) === parts.keyId);
  if (key === undefined) {
    const given = keys.map(masterKeyId).join(', ') || 'none';
    throw new DecryptionError(
      `This value was sealed with master key ${parts.keyId}, but the master key given is ${given}. Start Cove with the master key it was saved with (or finish the key rotation).`,
    );
  }
  return open(Buffer.from(key, 'base64'), parts.wrappedKey, aad, 'data key');
}

export function encryptValue(masterKeyBase64: string, context: CipherContext, plaintext: string): string {
  const masterKey = Buffer.from(masterKeyBase64, 'base64');
  const dataKey = randomBytes(32);
  const aad = associatedData(context);
  const wrappedKey = seal(masterKey, dataKey, aad);
  const body = seal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
  return joinCiphertext(masterKeyId(masterKeyBase64), wrappedKey, body);
}

export function decryptValue(masterKeys: MasterKeys, context: CipherContext, ciphertext: string): string {
  const parts = splitCiphertext(ciphertext);
  const aad = associatedData(context);
  const dataKey = unwrapDataKey(masterKeys, parts, aad);
  return open(dataKey, parts.body, aad, 'value').toString('utf8');
}

/**
 * Re-wraps the value's data key with a new master key; the encrypted body is left as it is, so a
 * rotation touches only the small wrapped keys. Already re-wrapped values come back unchanged.
 */
export function rewrapValue(
  oldMasterKeyBase64: string,
  newMasterKeyBase64: string,
  context: CipherContext,
  ciphertext: string,
): string {
  const parts = splitCiphertext(ciphertext);
  const newKeyId = masterKeyId(newMasterKeyBase64);
  if (parts.keyId === newKeyId) return ciphertext;
  const aad = associatedData(context);
  const dataKey = unwrapDataKey(oldMasterKeyBase64, parts, aad);
  const wrappedKey = seal(Buffer.from(newMasterKeyBase64, 'base64'), dataKey, aad);
  return joinCiphertext(newKeyId, wrappedKey, parts.body);
}
