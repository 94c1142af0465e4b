import { describe, expect, it } from 'vitest';
import { describeCertificate } from './status';

const now = new Date('2030-01-10T00:00:00Z');
const base = {
  host: 'hello.apps.example.net',
  challengeType: 'http-01' as const,
  notAfter: new Date('2030-03-01T00:00:00Z'),
  lastError: null,
  lastErrorAt: null,
  failedAttempts: 0,
  nextAttemptAt: null,
};

describe('describeCertificate', () => {
  it('says until when a healthy certificate is valid', () => {
    expect(describeCertificate(base, now)).toBe(
      'hello.apps.example.net (http-01): valid until 2030-03-01T00:00:00.000Z',
    );
  });

  it("gives the CA's reason and the next attempt of a failing one, which still serves", () => {
    const failing = {
      ...base,
      lastError: 'Connection refused',
      lastErrorAt: now,
      failedAttempts: 3,
      nextAttemptAt: new Date('2030-01-10T00:04:00Z'),
    };
    expect(describeCertificate(failing, now)).toBe(
      'hello.apps.example.net (http-01): valid until 2030-03-01T00:00:00.000Z\n' +
        '  3 failed attempts; next attempt 2030-01-10T00:04:00.000Z\n' +
        '  last error: Connection refused',
    );
    expect(describeCertificate({ ...failing, notAfter: null }, now)).toMatch(/: no certificate yet\n/);
    expect(describeCertificate({ ...base, notAfter: new Date('2030-01-01T00:00:00Z') }, now)).toMatch(
      /EXPIRED/,
    );
  });
});
