import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import {
  ciphertextKeyId,
  DecryptionError,
  decryptValue,
  encryptValue,
  masterKeyId,
  rewrapValue,
} from './crypto';

const masterKey = randomBytes(32).toString('base64');
const context = { workspaceId: 'w1', appId: 'a1', purpose: 'webhook' };

test('round-trips a value and never repeats a ciphertext', () => {
  const first = encryptValue(masterKey, context, 'hunter2');
  const second = encryptValue(masterKey, context, 'hunter2');
  expect(first).not.toBe(second);
  expect(first).not.toContain('hunter2');
  expect(decryptValue(masterKey, context, first)).toBe('hunter2');
});

test('a ciphertext cannot be moved to another app or workspace', () => {
  const sealed = encryptValue(masterKey, context, 'hunter2');
  expect(() => decryptValue(masterKey, { ...context, appId: 'a2' }, sealed)).toThrow();
  expect(() => decryptValue(masterKey, { ...context, workspaceId: 'w2' }, sealed)).toThrow();
});

test('another master key cannot read it', () => {
  const sealed = encryptValue(masterKey, context, 'hunter2');
  expect(() => decryptValue(randomBytes(32).toString('base64'), context, sealed)).toThrow();
});

test('names the master key beside the ciphertext and refuses another key by name', () => {
  const sealed = encryptValue(masterKey, context, 'hunter2');
  expect(ciphertextKeyId(sealed)).toBe(masterKeyId(masterKey));
  expect(masterKeyId(masterKey)).not.toContain(masterKey.slice(0, 8));
  const otherKey = randomBytes(32).toString('base64');
  expect(() => decryptValue(otherKey, context, sealed)).toThrow(DecryptionError);
  expect(() => decryptValue(otherKey, context, sealed)).toThrow(/sealed with master key [0-9a-f]{16}/);
});

test('an altered ciphertext is detected, not decrypted into garbage', () => {
  const sealed = encryptValue(masterKey, context, 'hunter2');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3] ?? '', 'base64');
  body[body.length - 1] = (body.at(-1) ?? 0) ^ 1;
  const altered = [...parts.slice(0, 3), body.toString('base64')].join('.');
  expect(() => decryptValue(masterKey, context, altered)).toThrow(DecryptionError);
});

test('rotation re-wraps the data key under the new master key and keeps the body', () => {
  const sealed = encryptValue(masterKey, context, 'hunter2');
  const newKey = randomBytes(32).toString('base64');
  const rewrapped = rewrapValue(masterKey, newKey, context, sealed);
  expect(ciphertextKeyId(rewrapped)).toBe(masterKeyId(newKey));
  expect(rewrapped.split('.')[3]).toBe(sealed.split('.')[3]);
  expect(decryptValue(newKey, context, rewrapped)).toBe('hunter2');
  expect(() => decryptValue(masterKey, context, rewrapped)).toThrow(DecryptionError);
  expect(rewrapValue(masterKey, newKey, context, rewrapped)).toBe(rewrapped);
});

test('during a rotation a value opens with whichever key of the ring sealed it', () => {
  const newKey = randomBytes(32).toString('base64');
  const sealedOld = encryptValue(masterKey, context, 'old');
  const sealedNew = encryptValue(newKey, context, 'new');
  expect(decryptValue([newKey, masterKey], context, sealedOld)).toBe('old');
  expect(decryptValue([newKey, masterKey], context, sealedNew)).toBe('new');
  expect(() => decryptValue([newKey], context, sealedOld)).toThrow(DecryptionError);
});
