import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { decryptValue, encryptValue } from './crypto';

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
