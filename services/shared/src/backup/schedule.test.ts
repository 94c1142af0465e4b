import { describe, expect, it } from 'vitest';
import { type BackupRun, isBackupDue } from './schedule';

const hour = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
function run(startedAtMs: number, isOk: boolean): BackupRun {
  return {
    startedAt: at(startedAtMs),
    finishedAt: at(startedAtMs + 1000),
    isOk,
    location: isOk ? '/backups/x' : null,
    error: isOk ? null : 'pg_dump exited with 1',
  };
}

describe('isBackupDue', () => {
  it.each([
    ['off, never run', 'off', null, 0, false],
    ['hourly, never run', 'hourly', null, 0, true],
    ['hourly, 59 minutes after a success', 'hourly', run(0, true), 59 * 60_000, false],
    ['hourly, an hour after a success', 'hourly', run(0, true), hour, true],
    ['daily, 23 hours after a success', 'daily', run(0, true), 23 * hour, false],
    ['daily, a day after a success', 'daily', run(0, true), 24 * hour, true],
    ['daily, 10 minutes after a failure', 'daily', run(0, false), 10 * 60_000, false],
    ['daily, 15 minutes after a failure: tried again', 'daily', run(0, false), 15 * 60_000, true],
    ['off, long after a success', 'off', run(0, true), 100 * hour, false],
  ] as const)('%s', (_case, schedule, lastRun, nowMs, expected) => {
    expect(isBackupDue(schedule, lastRun, nowMs)).toBe(expected);
  });
});
