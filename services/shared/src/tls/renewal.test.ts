import { describe, expect, it } from 'vitest';
import { decideCertificate, retryDelayMs } from './renewal';

const policy = { renewWhenRemainingFraction: 1 / 3 };
const hour = 3_600_000;
const issued = {
  notBefore: new Date(0),
  notAfter: new Date(90 * hour),
  failedAttempts: 0,
  nextAttemptAt: null,
};

describe('decideCertificate', () => {
  it.each([
    ['no row yet', null, 0, { action: 'issue', reason: 'missing' }],
    [
      'a row without a certificate',
      { ...issued, notBefore: null, notAfter: null },
      0,
      { action: 'issue', reason: 'missing' },
    ],
    ['fresh', issued, 10 * hour, { action: 'wait', untilMs: 60 * hour }],
    ['two thirds of its life gone', issued, 60 * hour, { action: 'issue', reason: 'renewal_due' }],
    ['expired', issued, 91 * hour, { action: 'issue', reason: 'expired' }],
    [
      'missing, in backoff',
      { ...issued, notBefore: null, notAfter: null, failedAttempts: 2, nextAttemptAt: new Date(5 * hour) },
      hour,
      { action: 'wait', untilMs: 5 * hour },
    ],
    [
      'renewal due, in backoff',
      { ...issued, failedAttempts: 1, nextAttemptAt: new Date(70 * hour) },
      65 * hour,
      { action: 'wait', untilMs: 70 * hour },
    ],
    [
      'renewal due, backoff over',
      { ...issued, failedAttempts: 1, nextAttemptAt: new Date(62 * hour) },
      65 * hour,
      { action: 'issue', reason: 'renewal_due' },
    ],
  ] as const)('%s', (_name, state, nowMs, expected) => {
    expect(decideCertificate(state, nowMs, policy)).toEqual(expected);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base up to the maximum', () => {
    const options = { baseMs: 1_000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 60].map((attempts) => retryDelayMs(attempts, options))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });
});
