import { expect, test } from 'vitest';
import {
  BuildStopped,
  describeDuration,
  stopReasonOf,
  supersededMessage,
  timeLimitMessage,
} from './build-watch';

test('the time limit is said in minutes when it is whole minutes, else in seconds', () => {
  expect(timeLimitMessage(1200)).toBe('The build took longer than 20 minutes and was stopped.');
  expect(describeDuration(60)).toBe('1 minute');
  expect(describeDuration(2)).toBe('2 seconds');
  expect(describeDuration(1)).toBe('1 second');
  expect(describeDuration(90)).toBe('90 seconds');
});

test('a superseded deployment names the push that replaced it', () => {
  const push = { trigger: 'push' as const, commitSha: 'abc1234def5678' };
  expect(supersededMessage(push, 'queued')).toBe(
    'A newer push (abc1234) replaced this one before it was built.',
  );
  expect(supersededMessage({ trigger: 'manual', commitSha: null }, 'building')).toBe(
    'A newer deployment replaced this one while it was being built; its build was stopped.',
  );
});

test('only a signal aborted with BuildStopped has a stop reason', () => {
  const controller = new AbortController();
  expect(stopReasonOf(controller.signal)).toBeNull();
  controller.abort(new BuildStopped({ kind: 'cancelled' }));
  expect(stopReasonOf(controller.signal)).toEqual({ kind: 'cancelled' });
  const other = new AbortController();
  other.abort();
  expect(stopReasonOf(other.signal)).toBeNull();
});
