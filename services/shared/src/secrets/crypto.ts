// AES-256-GCM for values Cove must read back (webhook secrets now, app secrets later). Each value
// gets a fresh data key and nonce; the data key is wrapped by the master key; the app and
// workspace ids are bound in as associated data, so a ciphertext cannot move to another tenant.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 'v1';

export interface CipherContext {
  workspaceId: string;
  appId: string;
  purpose: string;
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

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

export function encryptValue(masterKeyBase64: string, context: CipherContext, plaintext: string): string {
  const masterKey = Buffer.from(masterKeyBase64, 'base64');
  const dataKey = randomBytes(32);
  const aad = associatedData(context);
  const wrappedKey = seal(masterKey, dataKey, aad);
  const body = seal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
  return [version, wrappedKey.toString('base64'), body.toString('base64')].join('.');
}

export function decryptValue(masterKeyBase64: string, context: CipherContext, ciphertext: string): string {
  const [tag, wrappedKey, body] = ciphertext.split('.');
  if (tag !== version || wrappedKey === undefined || body === undefined) {
    throw new Error('Unrecognised ciphertext format');
  }
  const aad = associatedData(context);
  const dataKey = open(Buffer.from(masterKeyBase64, 'base64'), Buffer.from(wrappedKey, 'base64'), aad);
  return open(dataKey, Buffer.from(body, 'base64'), aad).toString('utf8');
}
