// The four measurements, each run the same way against every target: HTTP load, WebSocket round
// trips and set-up, memory per held WebSocket, and what is left after churn.
import { countOpenFds, readCpuSeconds, readRssKb, sumOver } from '../lib/proc';
import { percentile } from '../lib/stats';
import { sleep, waitUntil } from '../lib/wait';
import { abortRequests, dropWebSockets } from './load/churn';
import { runWrk } from './load/http';
import {
  closeRoundTripConnections,
  type Endpoint,
  holdWebSockets,
  measureSetup,
  openRoundTripConnections,
  type RoundTripConnections,
  type RoundTripResult,
  runRoundTrips,
} from './load/websocket';
import { errorCount, requestsPerSecond, type WrkReport } from './load/wrk-report';
import type { Child } from './processes/child';
import type { UpstreamStats } from './processes/messages';
import { hostHeader, type Target } from './targets';

export interface Settings {
  httpConnections: number;
  httpThreads: number;
  httpWarmupSeconds: number;
  /** The 64-connection load runs in rounds, every target in turn within each round. */
  httpRounds: number;
  httpSecondsPerRound: number;
  /** One connection, one request at a time: latency when nothing queues. */
  singleConnectionSeconds: number;
  webSocketConnections: number;
  webSocketWarmupMs: number;
  webSocketRounds: number;
  webSocketMsPerRound: number;
  webSocketPayloadBytes: number;
  setupSamples: number;
  heldWebSockets: number;
  /** Per round of churn. */
  abortedRequests: number;
  droppedWebSockets: number;
  churnRounds: number;
}

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errors: number;
  /** The same page over a single connection, one request at a time. */
  singleConnection: { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number };
  /** CPU time the proxy's processes spent during the measured run, and requests per CPU-second. */
  proxyCpuSeconds: number | null;
  requestsPerProxyCpuSecond: number | null;
}

export interface WebSocketResult {
  roundTripsPerSecond: number;
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  roundTripErrors: number;
  setupP50Ms: number;
  setupP99Ms: number;
  setupFailures: number;
}

export interface HoldResult {
  held: number;
  failures: number;
  rssBeforeKb: number;
  rssHeldKb: number;
  kbPerWebSocket: number;
  /** Live JavaScript memory per connection after a full collection; null for nginx. */
  liveHeapKbPerWebSocket: number | null;
}

export interface MemoryResult {
  /** The first time the proxy holds this many: includes any heap it must grow to do so. */
  first: HoldResult;
  /** The same again after releasing them: what a warmed-up process pays per connection. */
  again: HoldResult;
  /** Whether the proxy was started afresh for this measurement (Cove) or not (nginx). */
  inFreshProcess: boolean;
}

export interface ProcessReading {
  fds: number;
  rssKb: number;
  /** Live JavaScript memory after a full collection; null for nginx. */
  liveHeapKb: number | null;
}

export interface ChurnResult {
  rounds: number;
  /** Totals over every round. */
  abortedRequests: number;
  droppedWebSockets: number;
  failedWebSockets: number;
  before: ProcessReading;
  afterEachRound: ProcessReading[];
  /** Slow upstream requests that the client abandoned but the proxy let run to their answer. */
  upstreamRequestsRunToCompletion: number;
  upstreamRequestsCancelled: number;
  /** What the upstream still holds open once the churn settled: leaked tunnels show here. */
  upstreamOpenRequestsAfter: number;
  upstreamOpenWebSocketsAfter: number;
}

function endpointOf(target: Target): Endpoint {
  return { port: target.port, hostHeader };
}

async function proxyCpuSeconds(target: Target): Promise<number | null> {
  return target.proxyPids.length === 0 ? null : sumOver(target.proxyPids, readCpuSeconds);
}

/** Sums of the measured rounds of one target, and each round's report. */
interface HttpRounds {
  reports: WrkReport[];
  cpuSeconds: number | null;
}

/**
 * HTTP load against every target, interleaved: each is warmed up (a fresh Node process runs slower
 * until its code is compiled), then every round gives each target its turn, so a machine that
 * speeds up or slows down during the run weighs on every path alike. Then one connection each.
 */
export async function measureHttp(
  targets: readonly Target[],
  settings: Settings,
  step: (message: string) => void,
): Promise<Map<Target['name'], HttpResult>> {
  const loadOn = (target: Target, durationSeconds: number, connections = settings.httpConnections) =>
    runWrk({ port: target.port, hostHeader, connections, threads: settings.httpThreads, durationSeconds });
  for (const target of targets) {
    step(`HTTP warm-up: ${target.description}`);
    await loadOn(target, settings.httpWarmupSeconds);
  }
  const rounds = new Map<Target['name'], HttpRounds>(
    targets.map((target) => [
      target.name,
      { reports: [], cpuSeconds: target.proxyPids.length === 0 ? null : 0 },
    ]),
  );
  for (let round = 1; round <= settings.httpRounds; round += 1) {
    step(`HTTP round ${round} of ${settings.httpRounds}: every target for ${settings.httpSecondsPerRound} s`);
    for (const target of targets) {
      const sums = rounds.get(target.name);
      if (!sums) continue;
      const cpuBefore = await proxyCpuSeconds(target);
      sums.reports.push(await loadOn(target, settings.httpSecondsPerRound));
      const cpuAfter = await proxyCpuSeconds(target);
      if (sums.cpuSeconds !== null && cpuBefore !== null && cpuAfter !== null) {
        sums.cpuSeconds += cpuAfter - cpuBefore;
      }
    }
  }
  const results = new Map<Target['name'], HttpResult>();
  for (const target of targets) {
    step(`HTTP, one connection: ${target.description}`);
    const single = await loadOn(target, settings.singleConnectionSeconds, 1);
    const { reports, cpuSeconds } = rounds.get(target.name) ?? { reports: [], cpuSeconds: null };
    results.set(target.name, httpResult(reports, cpuSeconds, single));
  }
  return results;
}

/** Requests and CPU summed over the rounds; latency percentiles the median of the rounds'. */
function httpResult(reports: readonly WrkReport[], cpuSeconds: number | null, single: WrkReport): HttpResult {
  const requests = reports.reduce((sum, report) => sum + report.requests, 0);
  const seconds = reports.reduce((sum, report) => sum + report.durationUs / 1_000_000, 0);
  const medianMs = (pick: (report: WrkReport) => number) => percentile(reports.map(pick), 50) / 1_000;
  return {
    requestsPerSecond: seconds === 0 ? 0 : requests / seconds,
    p50Ms: medianMs((report) => report.p50Us),
    p90Ms: medianMs((report) => report.p90Us),
    p99Ms: medianMs((report) => report.p99Us),
    errors: reports.reduce((sum, report) => sum + errorCount(report), 0),
    singleConnection: {
      requestsPerSecond: requestsPerSecond(single),
      p50Ms: single.p50Us / 1_000,
      p99Ms: single.p99Us / 1_000,
      errors: errorCount(single),
    },
    proxyCpuSeconds: cpuSeconds,
    requestsPerProxyCpuSecond: cpuSeconds === null || cpuSeconds === 0 ? null : requests / cpuSeconds,
  };
}

async function upstreamStats(upstream: Child): Promise<UpstreamStats> {
  return (await upstream.ask({ type: 'stats' }, 'stats')).stats;
}

/** Waits until the upstream holds no WebSocket and no request, so one phase cannot bleed into the next. */
async function upstreamIdle(upstream: Child): Promise<UpstreamStats> {
  return waitUntil(
    async () => {
      const stats = await upstreamStats(upstream);
      return stats.openWebSockets === 0 && stats.openRequests === 0 ? stats : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, description: 'the upstream to close every connection' },
  ).catch(() => upstreamStats(upstream));
}

/**
 * WebSocket round trips against every target, interleaved in rounds like the HTTP load. Each
 * target's connections are opened once and warmed up, then stay open through the rounds, so a
 * round measures round trips only (not connection set-up). Then set-up, one target after another.
 */
export async function measureWebSocket(
  targets: readonly Target[],
  upstream: Child,
  settings: Settings,
  step: (message: string) => void,
): Promise<Map<Target['name'], WebSocketResult>> {
  const connectionsOf = new Map<Target['name'], RoundTripConnections>();
  const rounds = new Map<Target['name'], RoundTripResult[]>(targets.map((target) => [target.name, []]));
  const maxRoundTrips = 5_000_000;
  try {
    for (const target of targets) {
      step(`WebSocket warm-up: ${target.description}`);
      const connections = await openRoundTripConnections(endpointOf(target), {
        connections: settings.webSocketConnections,
        payloadBytes: settings.webSocketPayloadBytes,
      });
      connectionsOf.set(target.name, connections);
      await runRoundTrips(connections, { durationMs: settings.webSocketWarmupMs, maxRoundTrips });
    }
    for (let round = 1; round <= settings.webSocketRounds; round += 1) {
      step(
        `WebSocket round ${round} of ${settings.webSocketRounds}: every target for ${settings.webSocketMsPerRound} ms`,
      );
      for (const target of targets) {
        const connections = connectionsOf.get(target.name);
        if (!connections) continue;
        const result = await runRoundTrips(connections, {
          durationMs: settings.webSocketMsPerRound,
          maxRoundTrips,
        });
        rounds.get(target.name)?.push(result);
      }
    }
  } finally {
    for (const connections of connectionsOf.values()) closeRoundTripConnections(connections);
    await upstreamIdle(upstream);
  }
  const results = new Map<Target['name'], WebSocketResult>();
  for (const target of targets) {
    step(`WebSocket set-up: ${target.description}`);
    const setup = await measureSetup(endpointOf(target), {
      count: settings.setupSamples,
      timeLimitMs: 15_000,
    });
    await upstreamIdle(upstream);
    const measured = rounds.get(target.name) ?? [];
    const roundTrips = measured.reduce((sum, result) => sum + result.roundTrips, 0);
    const seconds = measured.reduce((sum, result) => sum + result.elapsedSeconds, 0);
    results.set(target.name, {
      roundTripsPerSecond: seconds === 0 ? 0 : roundTrips / seconds,
      roundTripP50Ms: percentile(
        measured.map((result) => result.latencyMs.p50),
        50,
      ),
      roundTripP99Ms: percentile(
        measured.map((result) => result.latencyMs.p99),
        50,
      ),
      roundTripErrors: measured.reduce((sum, result) => sum + result.errors, 0),
      setupP50Ms: setup.setupMs.p50,
      setupP99Ms: setup.setupMs.p99,
      setupFailures: setup.failures,
    });
  }
  return results;
}

async function readProcesses(target: Target): Promise<ProcessReading> {
  const liveHeapKb = await target.collectGarbage();
  return {
    fds: await sumOver(target.proxyPids, countOpenFds),
    rssKb: await sumOver(target.proxyPids, readRssKb),
    liveHeapKb,
  };
}

/**
 * Reads the proxy once its descriptor count has stopped moving (closes of dropped connections
 * reach it a little after the client hangs up), and no higher than atMostFds if that comes soon.
 */
async function settledReading(target: Target, atMostFds?: number): Promise<ProcessReading> {
  let previous = -1;
  let stableReads = 0;
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline) {
    const fds = await sumOver(target.proxyPids, countOpenFds);
    stableReads = fds === previous ? stableReads + 1 : 0;
    previous = fds;
    if (stableReads >= 3 && (atMostFds === undefined || fds <= atMostFds)) break;
    await sleep(250);
  }
  return readProcesses(target);
}

async function holdOnce(target: Target, upstream: Child, settings: Settings): Promise<HoldResult> {
  await upstreamIdle(upstream);
  const before = await settledReading(target);
  const held = await holdWebSockets(endpointOf(target), { count: settings.heldWebSockets, concurrency: 50 });
  await sleep(500);
  const during = await readProcesses(target);
  await held.release();
  await upstreamIdle(upstream);
  return {
    held: held.opened,
    failures: held.failures,
    rssBeforeKb: before.rssKb,
    rssHeldKb: during.rssKb,
    kbPerWebSocket: held.opened === 0 ? Number.NaN : (during.rssKb - before.rssKb) / held.opened,
    liveHeapKbPerWebSocket:
      during.liveHeapKb === null || before.liveHeapKb === null || held.opened === 0
        ? null
        : (during.liveHeapKb - before.liveHeapKb) / held.opened,
  };
}

/**
 * Holds idle WebSockets twice. nginx pays the same both times. A garbage-collected process is
 * measured in a fresh process of its own: a heap warmed by the earlier phases has free space that
 * absorbs new connections without touching new pages, which would read as almost nothing.
 */
export async function measureMemory(
  target: Target,
  upstream: Child,
  settings: Settings,
): Promise<MemoryResult> {
  const fresh = target.startFresh ? await target.startFresh() : undefined;
  const measured = fresh?.target ?? target;
  try {
    // A few connections first, so lazily loaded code is not counted as connection memory.
    await measureSetup(endpointOf(measured), { count: 20, timeLimitMs: 5_000 });
    const first = await holdOnce(measured, upstream, settings);
    const again = await holdOnce(measured, upstream, settings);
    return { first, again, inFreshProcess: fresh !== undefined };
  } finally {
    await fresh?.stop();
  }
}

/** One round of churn, then the proxy's reading once everything it should drop is dropped. */
async function churnRound(
  target: Target,
  upstream: Child,
  settings: Settings,
  atMostFds: number,
): Promise<{ reading: ProcessReading; aborted: number; dropped: number; failed: number }> {
  const endpoint = endpointOf(target);
  const aborted = await abortRequests(endpoint, {
    count: settings.abortedRequests,
    concurrency: 100,
    abortAfterMs: 20,
  });
  const dropped = await dropWebSockets(endpoint, { count: settings.droppedWebSockets, concurrency: 50 });
  // Slow answers take 300 ms upstream: past that, every abandoned request was either cancelled or answered.
  await sleep(400);
  await upstreamIdle(upstream);
  const reading = await settledReading(target, atMostFds);
  return { reading, aborted: aborted.sent, dropped: dropped.dropped, failed: dropped.failures };
}

/**
 * Two rounds of churn: the first may grow a garbage-collected heap to its working size, so a leak
 * shows as the second round growing again, and leaked descriptors as counts above the start.
 */
export async function measureChurn(
  target: Target,
  upstream: Child,
  settings: Settings,
): Promise<ChurnResult> {
  const statsBefore = await upstreamIdle(upstream);
  const before = await settledReading(target);
  const rounds = [];
  for (let round = 0; round < settings.churnRounds; round += 1) {
    rounds.push(await churnRound(target, upstream, settings, before.fds));
  }
  const statsAfter = await upstreamIdle(upstream);
  return {
    rounds: rounds.length,
    abortedRequests: rounds.reduce((sum, round) => sum + round.aborted, 0),
    droppedWebSockets: rounds.reduce((sum, round) => sum + round.dropped, 0),
    failedWebSockets: rounds.reduce((sum, round) => sum + round.failed, 0),
    before,
    afterEachRound: rounds.map((round) => round.reading),
    upstreamRequestsRunToCompletion: statsAfter.slowAnswered - statsBefore.slowAnswered,
    upstreamRequestsCancelled: statsAfter.slowCancelled - statsBefore.slowCancelled,
    upstreamOpenRequestsAfter: statsAfter.openRequests,
    upstreamOpenWebSocketsAfter: statsAfter.openWebSockets,
  };
}
