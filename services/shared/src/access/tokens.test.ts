import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accessTokenLifetimeMs, signAccessToken, verifyAccessToken } from './tokens';

const masterKey = randomBytes(32).toString('base64');
const otherKey = randomBytes(32).toString('base64');
const now = new Date('2026-01-01T12:00:00Z');

function claims(appName = 'sales') {
  return {
    appName,
    appId: randomUUID(),
    userId: randomUUID(),
    email: 'ada@example.com',
    dashboardSessionId: 'a'.repeat(64),
    dashboardSessionExpiresAtMs: now.getTime() + 3_600_000,
  };
}

describe('access tokens', () => {
  it('verify for the app they were minted for, with their claims', () => {
    const minted = signAccessToken(masterKey, claims(), now);
    const check = verifyAccessToken(minted.token, [masterKey], { appName: 'sales', now });
    expect(check).toEqual({ isValid: true, claims: minted.claims });
    expect(minted.claims.expiresAtMs).toBe(now.getTime() + accessTokenLifetimeMs);
  });

  it('get a fresh id each time, so each can be used once', () => {
    const first = signAccessToken(masterKey, claims(), now);
    const second = signAccessToken(masterKey, claims(), now);
    expect(first.claims.id).not.toBe(second.claims.id);
    expect(first.token).not.toBe(second.token);
  });

  it('expire after their lifetime', () => {
    const { token } = signAccessToken(masterKey, claims(), now);
    const justBefore = new Date(now.getTime() + accessTokenLifetimeMs - 1);
    const atExpiry = new Date(now.getTime() + accessTokenLifetimeMs);
    expect(verifyAccessToken(token, [masterKey], { appName: 'sales', now: justBefore }).isValid).toBe(true);
    expect(verifyAccessToken(token, [masterKey], { appName: 'sales', now: atExpiry })).toEqual({
      isValid: false,
      reason: 'expired',
    });
  });

  it('are refused for another app', () => {
    const { token } = signAccessToken(masterKey, claims('sales'), now);
    expect(verifyAccessToken(token, [masterKey], { appName: 'payroll', now })).toEqual({
      isValid: false,
      reason: 'wrong_app',
    });
  });

  it('are refused when the claims were altered', () => {
    const { token } = signAccessToken(masterKey, claims('sales'), now);
    const [payload, mac] = token.split('.');
    const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...decoded, appName: 'payroll' })).toString('base64url');
    expect(verifyAccessToken(`${forged}.${mac}`, [masterKey], { appName: 'payroll', now })).toEqual({
      isValid: false,
      reason: 'bad_signature',
    });
  });

  it('are refused when signed with another key, and accepted by a ring that holds it', () => {
    const { token } = signAccessToken(otherKey, claims(), now);
    expect(verifyAccessToken(token, [masterKey], { appName: 'sales', now }).isValid).toBe(false);
    expect(verifyAccessToken(token, [masterKey, otherKey], { appName: 'sales', now }).isValid).toBe(true);
  });

  it.each([[''], ['nodot'], ['a.b.c'], ['.'], ['abc.'], [`${'x'.repeat(5000)}.y`]])(
    'refuse the malformed token %j',
    (token) => {
      expect(verifyAccessToken(token, [masterKey], { appName: 'sales', now }).isValid).toBe(false);
    },
  );

  it('refuse a signature cut short', () => {
    const { token } = signAccessToken(masterKey, claims(), now);
    expect(verifyAccessToken(token.slice(0, -4), [masterKey], { appName: 'sales', now })).toEqual({
      isValid: false,
      reason: 'bad_signature',
    });
  });
});
