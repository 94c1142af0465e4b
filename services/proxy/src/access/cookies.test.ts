import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { appSessionCookie, readAppSessionCookie, stripAppSessionCookie } from './cookies';

describe('app session cookie', () => {
  it('is read from among other cookies', () => {
    expect(readAppSessionCookie({ cookie: 'a=1; cove_app_session=abc; _streamlit_xsrf=x' })).toBe('abc');
    expect(readAppSessionCookie({ cookie: 'a=1' })).toBeNull();
    expect(readAppSessionCookie({})).toBeNull();
    expect(readAppSessionCookie({ cookie: 'cove_app_session=' })).toBeNull();
  });

  it('is kept from the app, other cookies pass', () => {
    const headers: IncomingHttpHeaders = { cookie: 'a=1; cove_app_session=abc; _streamlit_xsrf=x' };
    stripAppSessionCookie(headers);
    expect(headers.cookie).toBe('a=1; _streamlit_xsrf=x');
    const only: IncomingHttpHeaders = { cookie: 'cove_app_session=abc' };
    stripAppSessionCookie(only);
    expect(only.cookie).toBeUndefined();
  });

  it('is host-only, HttpOnly, SameSite=Lax, and Secure over https', () => {
    const plain = appSessionCookie('v', Date.UTC(2030, 0, 1), { isSecure: false });
    expect(plain).toBe(
      'cove_app_session=v; Path=/; HttpOnly; SameSite=Lax; Expires=Tue, 01 Jan 2030 00:00:00 GMT',
    );
    expect(plain).not.toMatch(/Domain=/i);
    expect(appSessionCookie('v', Date.UTC(2030, 0, 1), { isSecure: true })).toMatch(/; Secure$/);
  });
});
