import { expect, test } from 'vitest';
import {
  type FaultResult,
  formatResults,
  misses,
  noFailedRequest,
  servingAgainWithin,
  summarizeWindow,
} from './report';
import type { Recording } from './traffic';

const ok = (atMs: number) => ({ atMs, isOk: true });
const failed = (atMs: number, detail = 'HTTP 502') => ({ atMs, isOk: false, detail });

const recording: Recording = {
  requests: [
    ok(900),
    ok(1_000),
    failed(1_100),
    failed(1_200, 'ECONNREFUSED'),
    ok(2_600),
    ok(5_000),
    failed(9_000),
  ],
  dashboard: [ok(1_000), ok(2_000)],
  sockets: [
    { atMs: 1_100, kind: 'dropped' },
    { atMs: 1_700, kind: 'reconnected', gapMs: 600 },
    { atMs: 1_150, kind: 'dropped' },
    { atMs: 2_650, kind: 'reconnected', gapMs: 1_500 },
  ],
};

test('a window counts only what happened inside it, and when the apps answered again', () => {
  expect(summarizeWindow(recording, { startMs: 1_000, endMs: 6_000 })).toEqual({
    requestsSent: 5,
    requestsFailed: 2,
    firstFailure: 'HTTP 502',
    appsBackAfterMs: 1_600,
    dashboardFailed: 0,
    dashboardBackAfterMs: 0,
    socketsDropped: 2,
    socketsReconnected: 2,
    longestSocketGapMs: 1_500,
  });
});

test('a failure with no answer after it means the apps never came back', () => {
  const summary = summarizeWindow(recording, { startMs: 6_000, endMs: 10_000 });
  expect(summary.appsBackAfterMs).toBeNull();
  expect(summary.longestSocketGapMs).toBeNull();
});

const result = (targets: FaultResult['targets'], problems: string[] = []): FaultResult => ({
  name: 'proxy SIGKILL',
  summary: summarizeWindow(recording, { startMs: 1_000, endMs: 6_000 }),
  targets,
  outcome: { miss: null, problems },
});

test('timing targets can be left out of the verdict; counts and consistency never are', () => {
  const slow = result([servingAgainWithin(1)]);
  expect(misses(slow)).toEqual(['served again after 1.6 s']);
  expect(misses(slow, { isTimingJudged: false })).toEqual([]);

  const lossy = result([noFailedRequest], ['network cove-local-app-x belongs to no app']);
  expect(misses(lossy, { isTimingJudged: false })).toEqual([
    '2 requests failed (first: HTTP 502)',
    'network cove-local-app-x belongs to no app',
  ]);
});

test('the table gives each fault a verdict and lists what was missed', () => {
  const table = formatResults([result([servingAgainWithin(3)]), result([noFailedRequest])]);
  expect(table).toMatch(/proxy SIGKILL .* serving again within 3 s; consistent +met/);
  expect(table).toContain('MISSED');
  expect(table).toContain('proxy SIGKILL: 2 requests failed (first: HTTP 502)');
});
