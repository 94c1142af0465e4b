// The run as plain-text tables: every path side by side, ratios against the direct connection and
// nginx with one worker, then the targets with a verdict each.
import { ratio } from '../lib/stats';
import { formatNumber, formatRatio, formatSigned, formatTable } from '../lib/table';
import { pageShellHtml } from './processes/page-shell';
import type { BenchResults, TargetResults } from './results';

const right = 'right' as const;

function reference(results: BenchResults, name: 'direct' | 'nginx-1'): TargetResults | undefined {
  return results.targets.find((target) => target.name === name);
}

function httpTable(results: BenchResults): string {
  const direct = reference(results, 'direct');
  const nginx = reference(results, 'nginx-1');
  return formatTable(
    [
      { header: 'path' },
      { header: 'req/s', align: right },
      { header: 'x direct', align: right },
      { header: 'x nginx-1', align: right },
      { header: 'p50 ms', align: right },
      { header: 'p99 ms', align: right },
      { header: 'added p50', align: right },
      { header: 'added p99', align: right },
      { header: 'errors', align: right },
      { header: '1-conn p50', align: right },
      { header: '1-conn p99', align: right },
      { header: 'added', align: right },
      { header: 'proxy CPU s', align: right },
      { header: 'req per CPU-s', align: right },
    ],
    results.targets.map(({ name, http }) => [
      name,
      formatNumber(http.requestsPerSecond),
      formatRatio(ratio(http.requestsPerSecond, direct?.http.requestsPerSecond ?? Number.NaN)),
      formatRatio(ratio(http.requestsPerSecond, nginx?.http.requestsPerSecond ?? Number.NaN)),
      formatNumber(http.p50Ms, 2),
      formatNumber(http.p99Ms, 2),
      name === 'direct' ? '' : formatSigned(http.p50Ms - (direct?.http.p50Ms ?? Number.NaN)),
      name === 'direct' ? '' : formatSigned(http.p99Ms - (direct?.http.p99Ms ?? Number.NaN)),
      formatNumber(http.errors + http.singleConnection.errors),
      formatNumber(http.singleConnection.p50Ms, 3),
      formatNumber(http.singleConnection.p99Ms, 3),
      name === 'direct'
        ? ''
        : formatSigned(http.singleConnection.p50Ms - (direct?.http.singleConnection.p50Ms ?? Number.NaN), 3),
      formatNumber(http.proxyCpuSeconds ?? undefined, 1),
      formatNumber(http.requestsPerProxyCpuSecond ?? undefined),
    ]),
  );
}

function webSocketTable(results: BenchResults): string {
  const direct = reference(results, 'direct');
  const nginx = reference(results, 'nginx-1');
  return formatTable(
    [
      { header: 'path' },
      { header: 'round trips/s', align: right },
      { header: 'x direct', align: right },
      { header: 'x nginx-1', align: right },
      { header: 'rt p50 ms', align: right },
      { header: 'rt p99 ms', align: right },
      { header: 'set-up p50 ms', align: right },
      { header: 'set-up p99 ms', align: right },
      { header: 'errors', align: right },
    ],
    results.targets.map(({ name, webSocket }) => [
      name,
      formatNumber(webSocket.roundTripsPerSecond),
      formatRatio(ratio(webSocket.roundTripsPerSecond, direct?.webSocket.roundTripsPerSecond ?? Number.NaN)),
      formatRatio(ratio(webSocket.roundTripsPerSecond, nginx?.webSocket.roundTripsPerSecond ?? Number.NaN)),
      formatNumber(webSocket.roundTripP50Ms, 3),
      formatNumber(webSocket.roundTripP99Ms, 3),
      formatNumber(webSocket.setupP50Ms, 3),
      formatNumber(webSocket.setupP99Ms, 3),
      formatNumber(webSocket.roundTripErrors + webSocket.setupFailures),
    ]),
  );
}

function memoryTable(results: BenchResults): string {
  const mb = (kb: number) => formatNumber(kb / 1024, 1);
  return formatTable(
    [
      { header: 'path' },
      { header: 'hold' },
      { header: 'held', align: right },
      { header: 'RSS before MB', align: right },
      { header: 'RSS holding MB', align: right },
      { header: 'RSS KB per WebSocket', align: right },
      { header: 'live heap KB per WebSocket', align: right },
    ],
    results.targets.flatMap(({ name, memory }) =>
      memory === null
        ? []
        : (['first', 'again'] as const).map((hold) => [
            hold === 'first' ? name : '',
            hold,
            formatNumber(memory[hold].held),
            mb(memory[hold].rssBeforeKb),
            mb(memory[hold].rssHeldKb),
            formatNumber(memory[hold].kbPerWebSocket, 1),
            formatNumber(memory[hold].liveHeapKbPerWebSocket ?? undefined, 1),
          ]),
    ),
  );
}

function churnTable(results: BenchResults): string {
  const mb = (kb: number) => formatNumber(kb / 1024, 1);
  return formatTable(
    [
      { header: 'path' },
      { header: 'aborted', align: right },
      { header: 'dropped WS', align: right },
      { header: 'fds: before, after each round', align: right },
      { header: 'RSS MB: before, after each round', align: right },
      { header: 'upstream cancelled', align: right },
      { header: 'upstream ran on', align: right },
      { header: 'upstream left open', align: right },
    ],
    results.targets.flatMap(({ name, churn }) =>
      churn === null
        ? []
        : [
            [
              name,
              formatNumber(churn.abortedRequests),
              formatNumber(churn.droppedWebSockets),
              [churn.before, ...churn.afterEachRound].map((reading) => formatNumber(reading.fds)).join(' / '),
              [churn.before, ...churn.afterEachRound].map((reading) => mb(reading.rssKb)).join(' / '),
              formatNumber(churn.upstreamRequestsCancelled),
              formatNumber(churn.upstreamRequestsRunToCompletion),
              formatNumber(churn.upstreamOpenRequestsAfter + churn.upstreamOpenWebSocketsAfter),
            ],
          ],
    ),
  );
}

function goalsTable(results: BenchResults): string {
  return formatTable(
    [{ header: 'target (issue 4)' }, { header: 'measured' }, { header: 'verdict' }],
    results.goals.map((goal) => [
      goal.goal,
      goal.measured,
      goal.isMet === null ? 'not measured' : goal.isMet ? 'pass' : 'MISS',
    ]),
  );
}

export function formatReport(results: BenchResults): string {
  const { settings, proxySource } = results;
  return [
    `Cove's proxy at ${proxySource.commit}${proxySource.hasUncommittedChanges ? ' with uncommitted changes in services/proxy' : ''}; ${results.machine.cores} cores; ${results.machine.nginx}; ${results.machine.wrk}`,
    '',
    `HTTP: wrk, ${settings.httpConnections} connections, ${settings.httpRounds} rounds of ${settings.httpSecondsPerRound} s with every path in turn (after ${settings.httpWarmupSeconds} s of warm-up each; latencies the rounds' median), then 1 connection for ${settings.singleConnectionSeconds} s (1-conn), asking for the page shell (${formatNumber(Buffer.byteLength(pageShellHtml) / 1024, 1)} KB); latencies in ms`,
    httpTable(results),
    '',
    `WebSocket: ${settings.webSocketConnections} connections echoing ${settings.webSocketPayloadBytes}-byte binary frames, kept open through ${settings.webSocketRounds} rounds of ${settings.webSocketMsPerRound / 1000} s with every path in turn (latencies the rounds' median); set-up over ${settings.setupSamples} connections one at a time`,
    webSocketTable(results),
    '',
    `Memory: ${settings.heldWebSockets} idle WebSockets held through each proxy, twice (RSS of its processes; Cove in a fresh process)`,
    memoryTable(results),
    '',
    `Churn: ${settings.churnRounds} rounds of ${settings.abortedRequests} requests abandoned before the answer and ${settings.droppedWebSockets} WebSockets dropped without a close`,
    churnTable(results),
    '',
    goalsTable(results),
  ].join('\n');
}
