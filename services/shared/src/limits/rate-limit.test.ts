import { describe, expect, test } from 'vitest';
import { describeWait, rateLimitKey } from './rate-limit';

describe('rateLimitKey', () => {
  const rule = { name: 'sign-in-email', limit: 5, windowSeconds: 60 };

  test('hashes the subject, ignoring case and surrounding spaces', () => {
    const key = rateLimitKey('local', rule, 'Ada@Example.com ');
    expect(key).toBe(rateLimitKey('local', rule, 'ada@example.com'));
    expect(key).toMatch(/^cove:local:rate:sign-in-email:[0-9a-f]{32}$/);
    expect(key).not.toContain('ada');
  });

  test('keeps instances and rules apart', () => {
    expect(rateLimitKey('a', rule, 'x')).not.toBe(rateLimitKey('b', rule, 'x'));
    expect(rateLimitKey('a', rule, 'x')).not.toBe(rateLimitKey('a', { ...rule, name: 'other' }, 'x'));
  });
});

describe('describeWait', () => {
  test('says seconds for short waits and minutes for long ones', () => {
    expect(describeWait(1)).toBe('1 second');
    expect(describeWait(45)).toBe('45 seconds');
    expect(describeWait(600)).toBe('10 minutes');
  });
});
