import { expect, test } from 'vitest';
import { CoveError } from '../errors';
import {
  checkSameOrigin,
  clearedSessionCookie,
  readCookie,
  readSessionToken,
  requireRole,
  sessionCookie,
} from './request';

const dashboard = 'https://cove.example.com';

function post(headers: Record<string, string>): Request {
  return new Request(`${dashboard}/api/v1/apps`, { method: 'POST', headers });
}

test('reads one cookie among several', () => {
  const headers = new Headers({ cookie: 'a=1; cove_session=abc%3D; b=2' });
  expect(readCookie(headers, 'cove_session')).toBe('abc=');
  expect(readCookie(headers, 'missing')).toBeNull();
});

test('session cookies are HttpOnly, SameSite=Lax, and over https __Host- prefixed and Secure', () => {
  const expires = new Date('2030-01-01T00:00:00Z');
  const secure = sessionCookie('t', expires, { isHttps: true });
  expect(secure).toMatch(/^__Host-cove_session=t; Path=\/; HttpOnly; SameSite=Lax; .*; Secure$/);
  expect(secure).not.toMatch(/Domain=/i);
  const plain = sessionCookie('t', expires, { isHttps: false });
  expect(plain).toMatch(/^cove_session=t; /);
  expect(plain).not.toContain('Secure');
  expect(clearedSessionCookie({ isHttps: true })).toMatch(
    /^__Host-cove_session=; Path=\/; .*Max-Age=0; Secure$/,
  );
});

test('over https only the __Host- session cookie counts, so a sibling host cannot plant one', () => {
  const planted = new Headers({ cookie: 'cove_session=planted; __Host-cove_session=mine' });
  expect(readSessionToken(planted, dashboard)).toBe('mine');
  expect(readSessionToken(new Headers({ cookie: 'cove_session=planted' }), dashboard)).toBeNull();
  // Development: plain HTTP keeps the plain name; HTTPS through the proxy uses the prefixed one.
  const local = 'http://localhost:4100';
  expect(readSessionToken(planted, local)).toBe('planted');
  expect(
    readSessionToken(
      new Headers({ cookie: planted.get('cookie') ?? '', 'x-forwarded-proto': 'https' }),
      local,
    ),
  ).toBe('mine');
});

test('a write over https through the proxy comes from the https origin of its host', () => {
  const local = 'http://localhost:4100';
  const request = new Request(`${local}/api/v1/apps`, {
    method: 'POST',
    headers: { origin: 'https://localhost:4443', host: 'localhost:4443', 'x-forwarded-proto': 'https' },
  });
  expect(() => checkSameOrigin(request, local)).not.toThrow();
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
