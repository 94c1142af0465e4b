// The targets for the proxy, judged against one run. Pure: results in, verdicts out.
import { ratio } from '../lib/stats';
import { formatNumber, formatRatio, formatSigned } from '../lib/table';
import type { ProcessReading } from './phases';
import type { GoalResult, TargetResults } from './results';
import type { TargetName } from './targets';

export const limits = {
  addedP50Ms: 0.3,
  webSocketRoundTripsVersusNginx: 0.9,
  httpPerCoreVersusNginx: 0.4,
  /** Descriptors a proxy may keep after churn and still count as not growing. */
  churnFdGrowth: 0,
  /**
   * Memory a later round of churn may add over the first (the first may still warm caches up).
   * Live heap after a full collection for a garbage-collected process: its RSS keeps freed pages,
   * so RSS cannot tell a leak from a grown heap. RSS for nginx, which has no collector.
   */
  churnLaterRoundGrowthKb: 512,
};

const nan = Number.NaN;

function verdict(value: number, isMet: (value: number) => boolean): boolean | null {
  return Number.isFinite(value) ? isMet(value) : null;
}

const mb = (kb: number) => formatSigned(kb / 1024, 1);

function churnGoals(churn: TargetResults['churn']): GoalResult[] {
  const first = churn?.afterEachRound[0];
  const last = churn?.afterEachRound.at(-1);
  if (!churn || !first || !last || churn.afterEachRound.length < 2) {
    return [
      { goal: 'no descriptor growth after churn', measured: '-', isMet: null },
      { goal: 'no memory growth after churn', measured: '-', isMet: null },
    ];
  }
  const fdGrowth = Math.max(...churn.afterEachRound.map((reading) => reading.fds)) - churn.before.fds;
  const live = (reading: ProcessReading) => reading.liveHeapKb ?? reading.rssKb;
  const memoryName = churn.before.liveHeapKb === null ? 'RSS' : 'live heap';
  const laterGrowthKb = live(last) - live(first);
  return [
    {
      goal: 'no descriptor growth after churn',
      measured: `${formatSigned(fdGrowth, 0)} fds (${churn.before.fds} before)`,
      isMet: fdGrowth <= limits.churnFdGrowth,
    },
    {
      goal: `no memory growth after churn (later rounds <= ${limits.churnLaterRoundGrowthKb} KB)`,
      measured: `${memoryName} ${mb(live(first) - live(churn.before))} MB in round 1, ${mb(laterGrowthKb)} MB after; RSS ${mb(last.rssKb - churn.before.rssKb)} MB`,
      isMet: laterGrowthKb <= limits.churnLaterRoundGrowthKb,
    },
  ];
}

export function evaluateGoals(results: readonly TargetResults[], cores: number): GoalResult[] {
  const byName = (name: TargetName) => results.find((result) => result.name === name);
  const direct = byName('direct');
  const nginx = byName('nginx-1');
  const cove = byName('cove');

  const addedSingleP50 =
    (cove?.http.singleConnection.p50Ms ?? nan) - (direct?.http.singleConnection.p50Ms ?? nan);
  const addedLoadedP50 = (cove?.http.p50Ms ?? nan) - (direct?.http.p50Ms ?? nan);
  const roundTrips = ratio(
    cove?.webSocket.roundTripsPerSecond ?? nan,
    nginx?.webSocket.roundTripsPerSecond ?? nan,
  );
  const coveKb = cove?.memory?.first.kbPerWebSocket ?? nan;
  const coveAgainKb = cove?.memory?.again.kbPerWebSocket ?? nan;
  const nginxKb = nginx?.memory?.first.kbPerWebSocket ?? nan;
  const perCore = ratio(
    cove?.http.requestsPerProxyCpuSecond ?? nan,
    nginx?.http.requestsPerProxyCpuSecond ?? nan,
  );
  const perSecond = ratio(cove?.http.requestsPerSecond ?? nan, nginx?.http.requestsPerSecond ?? nan);
  // With workers (node:cluster) the primary only hands connections over; the workers proxy.
  const cluster = byName('cove-cluster');
  const coveProcesses = cluster ? cluster.processes - 1 : (cove?.processes ?? nan);
  const churn = cove?.churn ?? null;

  return [
    {
      goal: `added p50 <= ${limits.addedP50Ms} ms vs direct, 1 connection`,
      measured: `${formatSigned(addedSingleP50)} ms`,
      isMet: verdict(addedSingleP50, (value) => value <= limits.addedP50Ms),
    },
    {
      goal: `added p50 <= ${limits.addedP50Ms} ms vs direct, 64 connections`,
      measured: `${formatSigned(addedLoadedP50)} ms`,
      isMet: verdict(addedLoadedP50, (value) => value <= limits.addedP50Ms),
    },
    {
      goal: `WebSocket round trips >= ${limits.webSocketRoundTripsVersusNginx} x nginx (1 worker)`,
      measured: formatRatio(roundTrips),
      isMet: verdict(roundTrips, (value) => value >= limits.webSocketRoundTripsVersusNginx),
    },
    {
      goal: "memory per WebSocket below nginx's (1 worker), first hold",
      measured: `${formatNumber(coveKb, 1)} KB vs ${formatNumber(nginxKb, 1)} KB (again: ${formatNumber(coveAgainKb, 1)} KB)`,
      isMet: verdict(coveKb - nginxKb, (value) => value < 0),
    },
    {
      goal: `HTTP throughput >= ${limits.httpPerCoreVersusNginx} x nginx per core (req per CPU-second)`,
      measured: `${formatRatio(perCore)} (req/s ${formatRatio(perSecond)})`,
      isMet: verdict(perCore, (value) => value >= limits.httpPerCoreVersusNginx),
    },
    {
      goal: 'the proxy uses every core',
      measured: `${formatNumber(coveProcesses)} proxying process(es)${cluster ? ' (cove-cluster)' : ''} on ${cores} cores`,
      isMet: verdict(coveProcesses, (value) => value >= cores),
    },
    ...churnGoals(churn),
    {
      goal: 'abandoned requests are cancelled upstream',
      measured: churn
        ? `${formatNumber(churn.upstreamRequestsCancelled)} cancelled, ${formatNumber(churn.upstreamRequestsRunToCompletion)} ran on`
        : '-',
      isMet: churn ? churn.upstreamRequestsRunToCompletion === 0 : null,
    },
  ];
}
