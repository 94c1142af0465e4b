import { expect, test } from 'vitest';
import { CoveError } from '../errors';
import { checkSameOrigin, readCookie, requireRole, sessionCookie } from './request';

const dashboard = 'https://cove.example.com';

function post(headers: Record<string, string>): Request {
  return new Request(`${dashboard}/api/v1/apps`, { method: 'POST', headers });
}

test('reads one cookie among several', () => {
  const headers = new Headers({ cookie: 'a=1; cove_session=abc%3D; b=2' });
  expect(readCookie(headers, 'cove_session')).toBe('abc=');
  expect(readCookie(headers, 'missing')).toBeNull();
});

test('session cookies are HttpOnly, SameSite=Lax, and Secure only over https', () => {
  const expires = new Date('2030-01-01T00:00:00Z');
  expect(sessionCookie('t', expires, { isSecure: true })).toMatch(/HttpOnly; SameSite=Lax; .*; Secure$/);
  expect(sessionCookie('t', expires, { isSecure: false })).not.toContain('Secure');
});

test('accepts same-origin writes and any safe read', () => {
  expect(() => checkSameOrigin(post({ origin: dashboard }), dashboard)).not.toThrow();
  expect(() =>
    checkSameOrigin(post({ origin: 'https://127.0.0.1:4100', host: '127.0.0.1:4100' }), dashboard),
  ).not.toThrow();
  expect(() => checkSameOrigin(new Request(`${dashboard}/x`), dashboard)).not.toThrow();
});

test('refuses writes from another origin or with no origin', () => {
  expect(() => checkSameOrigin(post({ origin: 'https://evil.example' }), dashboard)).toThrow(CoveError);
  expect(() => checkSameOrigin(post({}), dashboard)).toThrow(/no Origin/);
});

test('viewers cannot do what developers do', () => {
  expect(() => requireRole({ userId: 'u', workspaceId: 'w', role: 'viewer' }, 'developer')).toThrow(
    /developer role/,
  );
  expect(() => requireRole({ userId: 'u', workspaceId: 'w', role: 'owner' }, 'developer')).not.toThrow();
});
