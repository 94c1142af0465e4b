import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAppJwt } from './app-jwt';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

describe('createAppJwt', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  const jwt = createAppJwt('4242', privateKey, now);
  const [header, payload, signature] = jwt.split('.');

  it('is an RS256 JWT signed with the App key', () => {
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const isValid = createVerify('sha256')
      .update(`${header}.${payload}`)
      .verify(publicKey, Buffer.from(signature ?? '', 'base64url'));
    expect(isValid).toBe(true);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(
      createVerify('sha256')
        .update(`${header}.${payload}`)
        .verify(otherKey, Buffer.from(signature ?? '', 'base64url')),
    ).toBe(false);
  });

  it('is issued 60 s in the past, by the App, and expires within 10 minutes', () => {
    const seconds = Math.floor(now.getTime() / 1000);
    const claims = decode(payload);
    expect(claims.iss).toBe('4242');
    expect(claims.iat).toBe(seconds - 60);
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(600);
    expect(Number(claims.exp)).toBeGreaterThan(seconds);
  });
});
