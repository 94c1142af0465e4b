import { describe, expect, it } from 'vitest';
import { createRestartBackoff } from './restart-backoff';

describe('createRestartBackoff', () => {
  it('doubles the delay while workers keep dying early, up to the maximum', () => {
    const backoff = createRestartBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 10_000 });
    expect([0, 0, 0, 0, 0, 0].map(() => backoff.nextDelayMs(50))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('starts over after a worker that ran long enough to count as healthy', () => {
    const backoff = createRestartBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, stableAfterMs: 10_000 });
    backoff.nextDelayMs(50);
    backoff.nextDelayMs(50);
    expect(backoff.nextDelayMs(60_000)).toBe(100);
    expect(backoff.nextDelayMs(50)).toBe(200);
  });
});
