import { randomBytes } from 'node:crypto';
import type { RouteEntry } from '@cove/shared/routing/route-table';
import { describe, expect, test } from 'vitest';
import {
  answerHeadersWithPin,
  isReplicaPinSetCookie,
  pinReplica,
  readReplicaPin,
  replicaPinCookieName,
  replicaPinMaxAgeMs,
  replicaPinValue,
  stripReplicaPin,
  upgradeAnswerWithPin,
} from './replica-pin';

const key = randomBytes(32);
const appId = '00000000-0000-4000-8000-00000000000a';
const nowMs = Date.UTC(2026, 11, 7, 12);
const route: RouteEntry = {
  appId,
  appName: 'hello',
  status: 'running',
  upstream: { host: '127.0.0.1', port: 40001 },
  replicas: [
    { id: 'aaaaaaaaaaaa', host: '127.0.0.1', port: 40001, node: 'host-a' },
    { id: 'bbbbbbbbbbbb', host: '127.0.0.1', port: 40002, node: 'host-a' },
  ],
};
const noSessions = () => 0;

function cookieFor(replicaId: string, issuedAtMs = nowMs, signingKey = key, forApp = appId): string {
  return `theme=dark; ${replicaPinCookieName}=${replicaPinValue(signingKey, forApp, replicaId, issuedAtMs)}`;
}

function pin(cookie: string | undefined, sessionsOf: (replicaId: string) => number = noSessions) {
  return pinReplica(route, cookie === undefined ? {} : { cookie }, {
    key,
    nowMs,
    isSecure: false,
    sessionsOf,
    random: () => 0.99,
  });
}

describe('pinReplica', () => {
  test('a valid pin to a live replica keeps it, with no new cookie', () => {
    expect(pin(cookieFor('aaaaaaaaaaaa'))).toEqual({ replica: route.replicas?.[0], setCookie: null });
  });

  test('no pin: the replica with the fewest sessions, pinned by a host-only HttpOnly Lax cookie', () => {
    const pinned = pin(undefined, (replicaId) => (replicaId === 'aaaaaaaaaaaa' ? 3 : 1));
    expect(pinned?.replica.id).toBe('bbbbbbbbbbbb');
    expect(pinned?.setCookie).toMatch(
      new RegExp(`^${replicaPinCookieName}=bbbbbbbbbbbb\\.\\d+\\.[\\w-]+; Path=/; HttpOnly; SameSite=Lax$`),
    );
    expect(pinned?.setCookie).not.toMatch(/Domain=/i);
  });

  test.each([
    ['forged (signed with another key)', cookieFor('aaaaaaaaaaaa', nowMs, randomBytes(32))],
    [
      'forged (signature of another replica)',
      cookieFor('aaaaaaaaaaaa').replace('aaaaaaaaaaaa', 'bbbbbbbbbbbb'),
    ],
    ["another app's", cookieFor('aaaaaaaaaaaa', nowMs, key, '00000000-0000-4000-8000-00000000000b')],
    ['expired', cookieFor('aaaaaaaaaaaa', nowMs - replicaPinMaxAgeMs - 1000)],
    ['garbage', `${replicaPinCookieName}=aaaaaaaaaaaa`],
  ])('a %s pin is not honoured: a live replica and a fresh pin', (_case, cookie) => {
    const pinned = pin(cookie, (replicaId) => (replicaId === 'aaaaaaaaaaaa' ? 0 : 5));
    expect(pinned?.setCookie).toMatch(new RegExp(`^${replicaPinCookieName}=aaaaaaaaaaaa\\.`));
    // The fresh pin is honoured next time.
    const value = pinned?.setCookie?.split(';')[0] ?? '';
    expect(readReplicaPin({ cookie: value }, key, appId, nowMs)).toBe('aaaaaaaaaaaa');
  });

  test('a valid pin to a replica that is no longer live moves the viewer to a live one', () => {
    const pinned = pin(cookieFor('cccccccccccc'));
    expect(route.replicas?.map((replica) => replica.id)).toContain(pinned?.replica.id);
    expect(pinned?.setCookie).not.toBeNull();
  });

  test('Secure over https; a route with nothing live pins nothing', () => {
    const secure = pinReplica(route, {}, { key, nowMs, isSecure: true, sessionsOf: noSessions });
    expect(secure?.setCookie).toMatch(/; Secure$/);
    const asleep: RouteEntry = { appId, appName: 'hello', status: 'sleeping' };
    expect(pinReplica(asleep, {}, { key, nowMs, isSecure: false, sessionsOf: noSessions })).toBeNull();
  });
});

describe("the app's view", () => {
  test('the pin is stripped from the Cookie header, the other cookies kept', () => {
    const headers = { cookie: cookieFor('aaaaaaaaaaaa') };
    stripReplicaPin(headers);
    expect(headers).toEqual({ cookie: 'theme=dark' });
    const only: { cookie?: string } = { cookie: `${replicaPinCookieName}=x` };
    stripReplicaPin(only);
    expect(only).toEqual({});
  });

  test("an app's Set-Cookie of the pin's name is recognised (and dropped), others are not", () => {
    expect(isReplicaPinSetCookie(`${replicaPinCookieName}=bbbbbbbbbbbb; Path=/`)).toBe(true);
    expect(isReplicaPinSetCookie(` ${replicaPinCookieName} =x`)).toBe(true);
    expect(isReplicaPinSetCookie('session=1; Path=/')).toBe(false);
    expect(isReplicaPinSetCookie(`x${replicaPinCookieName}=1`)).toBe(false);
  });
});

describe("the app's answers", () => {
  const pin = `${replicaPinCookieName}=new; Path=/; HttpOnly; SameSite=Lax`;

  test("a plain answer loses the app's pin, keeps its own cookies and gets the proxy's new pin", () => {
    const headers = [
      'Content-Type',
      'text/html',
      'Set-Cookie',
      `${replicaPinCookieName}=evil`,
      'set-cookie',
      'own=1',
    ];
    expect(answerHeadersWithPin(headers, pin)).toEqual([
      'Content-Type',
      'text/html',
      'set-cookie',
      'own=1',
      'set-cookie',
      pin,
    ]);
    expect(answerHeadersWithPin(['set-cookie', 'own=1'], null)).toEqual(['set-cookie', 'own=1']);
  });

  test("a 101 loses the app's pin and gets the new one, its other lines as they were", () => {
    const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSet-Cookie: ${replicaPinCookieName}=evil\r\nSec-WebSocket-Accept: abc\r\n\r\n`;
    expect(upgradeAnswerWithPin(head, pin)).toBe(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: abc\r\nset-cookie: ${pin}\r\n\r\n`,
    );
    const plain = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';
    expect(upgradeAnswerWithPin(plain, null)).toBe(plain);
  });
});
