// Reading what visitors saw during one fault (a window of the recording), and judging it against
// the fault's target. Pure functions over the recording; the suite prints their table.
import { formatNumber, formatTable } from '../bench/lib/table';
import type { Recording, Sample } from './traffic';

export interface FaultWindow {
  startMs: number;
  endMs: number;
}

export interface WindowSummary {
  requestsSent: number;
  requestsFailed: number;
  /** What the first failed request saw. */
  firstFailure: string | null;
  /** From the injection to the first answer after the last failure: 0 with no failure, null if never. */
  appsBackAfterMs: number | null;
  dashboardFailed: number;
  dashboardBackAfterMs: number | null;
  socketsDropped: number;
  socketsReconnected: number;
  /** The longest time a tab had no live connection, among the reconnections of the window. */
  longestSocketGapMs: number | null;
}

function backAfterMs(samples: readonly Sample[], window: FaultWindow): number | null {
  let lastFailureMs: number | null = null;
  for (const sample of samples) if (!sample.isOk) lastFailureMs = sample.atMs;
  if (lastFailureMs === null) return 0;
  const failedAt = lastFailureMs;
  const nextAnswer = samples.find((sample) => sample.isOk && sample.atMs > failedAt);
  return nextAnswer === undefined ? null : nextAnswer.atMs - window.startMs;
}

export function summarizeWindow(recording: Recording, window: FaultWindow): WindowSummary {
  const inWindow = <T extends { atMs: number }>(items: readonly T[]) =>
    items.filter((item) => item.atMs >= window.startMs && item.atMs <= window.endMs);
  const requests = inWindow(recording.requests);
  const dashboard = inWindow(recording.dashboard);
  const sockets = inWindow(recording.sockets);
  const gaps = sockets.flatMap((event) => (event.gapMs === undefined ? [] : [event.gapMs]));
  return {
    requestsSent: requests.length,
    requestsFailed: requests.filter((sample) => !sample.isOk).length,
    firstFailure: requests.find((sample) => !sample.isOk)?.detail ?? null,
    appsBackAfterMs: backAfterMs(requests, window),
    dashboardFailed: dashboard.filter((sample) => !sample.isOk).length,
    dashboardBackAfterMs: backAfterMs(dashboard, window),
    socketsDropped: sockets.filter((event) => event.kind === 'dropped').length,
    socketsReconnected: sockets.filter((event) => event.kind === 'reconnected').length,
    longestSocketGapMs: gaps.length === 0 ? null : Math.max(...gaps),
  };
}

/** What the fault's own steps found, beside the traffic: e.g. whether the killed build completed. */
export interface FaultOutcome {
  /** A target of the fault's own that was not met, in words; null when met. */
  miss: string | null;
  /** Inconsistencies found after the platform settled (stuck deployments, orphans, ...). */
  problems: readonly string[];
}

export interface Target {
  /** The target in words, as printed. */
  text: string;
  /** A bound in seconds: printed and judged by `make chaos`, never failing `make test`'s short run. */
  isTiming: boolean;
  /** Why it was missed, or null when met. */
  check(summary: WindowSummary): string | null;
}

export const noFailedRequest: Target = {
  text: '0 failed requests',
  isTiming: false,
  check: (summary) =>
    summary.requestsFailed === 0
      ? null
      : `${summary.requestsFailed} requests failed (first: ${summary.firstFailure})`,
};

/** A bound on when something answered again after the fault: the apps or the dashboard. */
function answeringAgainWithin(
  seconds: number,
  what: { text: string; never: string; late: string },
  backAfterMs: (summary: WindowSummary) => number | null,
): Target {
  return {
    text: `${what.text} within ${seconds} s`,
    isTiming: true,
    check: (summary) => {
      const milliseconds = backAfterMs(summary);
      if (milliseconds === null) return what.never;
      return milliseconds <= seconds * 1000
        ? null
        : `${what.late} after ${(milliseconds / 1000).toFixed(1)} s`;
    },
  };
}

export const servingAgainWithin = (seconds: number) =>
  answeringAgainWithin(
    seconds,
    { text: 'serving again', never: 'the apps never served again', late: 'served again' },
    (summary) => summary.appsBackAfterMs,
  );

export const dashboardAgainWithin = (seconds: number) =>
  answeringAgainWithin(
    seconds,
    {
      text: 'dashboard again',
      never: 'the dashboard never answered again',
      late: 'dashboard answered again',
    },
    (summary) => summary.dashboardBackAfterMs,
  );

export const appsServeAgain: Target = {
  text: 'every app serves again',
  isTiming: false,
  check: (summary) => (summary.appsBackAfterMs === null ? 'the apps never served again' : null),
};

export interface FaultResult {
  name: string;
  summary: WindowSummary;
  targets: readonly Target[];
  outcome: FaultOutcome;
}

/**
 * Every reason the fault missed: its targets (the timing ones too, unless left out), its own steps
 * and the consistency checks.
 */
export function misses(
  result: FaultResult,
  options: { isTimingJudged: boolean } = { isTimingJudged: true },
): string[] {
  return [
    ...result.targets
      .filter((target) => options.isTimingJudged || !target.isTiming)
      .flatMap((target) => target.check(result.summary) ?? []),
    ...(result.outcome.miss === null ? [] : [result.outcome.miss]),
    ...result.outcome.problems,
  ];
}

const seconds = (milliseconds: number | null) =>
  milliseconds === null ? 'never' : formatNumber(milliseconds / 1000, 1);

export function formatResults(results: readonly FaultResult[]): string {
  const rows = results.map((result) => {
    const { summary } = result;
    const missed = misses(result);
    return [
      result.name,
      formatNumber(summary.requestsSent),
      formatNumber(summary.requestsFailed),
      seconds(summary.appsBackAfterMs),
      formatNumber(summary.dashboardFailed),
      seconds(summary.dashboardBackAfterMs),
      `${summary.socketsDropped}/${summary.socketsReconnected}`,
      summary.longestSocketGapMs === null ? '-' : seconds(summary.longestSocketGapMs),
      [...result.targets.map((target) => target.text), 'consistent'].join('; '),
      missed.length === 0 ? 'met' : 'MISSED',
    ];
  });
  const table = formatTable(
    [
      { header: 'fault' },
      { header: 'requests', align: 'right' },
      { header: 'failed', align: 'right' },
      { header: 'apps back s', align: 'right' },
      { header: 'dash failed', align: 'right' },
      { header: 'dash back s', align: 'right' },
      { header: 'ws drop/re', align: 'right' },
      { header: 'ws gap s', align: 'right' },
      { header: 'target' },
      { header: 'verdict' },
    ],
    rows,
  );
  const details = results.flatMap((result) => misses(result).map((miss) => `  ${result.name}: ${miss}`));
  return details.length === 0 ? table : `${table}\n\nMissed:\n${details.join('\n')}`;
}
