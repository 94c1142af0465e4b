import { expect, test } from 'vitest';
import { generateToken, hashToken } from './tokens';

test('tokens are 32 random bytes in base64url', () => {
  const token = generateToken();
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(generateToken()).not.toBe(token);
});

test('the stored digest is the hex SHA-256 of the token', () => {
  expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
