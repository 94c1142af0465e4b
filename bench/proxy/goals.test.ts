import { describe, expect, it } from 'vitest';
import { evaluateGoals } from './goals';
import type { TargetResults } from './results';
import type { TargetName } from './targets';

function target(
  name: TargetName,
  overrides: { p50Ms: number; roundTrips: number; perCpuSecond: number | null },
) {
  const reading = { fds: 20, rssKb: 100_000, liveHeapKb: name === 'cove' ? 20_000 : null };
  const kbPerWebSocket = name === 'cove' ? 8 : 17;
  const hold = {
    held: 2_000,
    failures: 0,
    rssBeforeKb: 10_000,
    rssHeldKb: 10_000 + 2_000 * kbPerWebSocket,
    kbPerWebSocket,
    liveHeapKbPerWebSocket: null,
  };
  const result: TargetResults = {
    name,
    description: name,
    processes: name === 'direct' ? 0 : 1,
    http: {
      requestsPerSecond: 10_000,
      p50Ms: overrides.p50Ms,
      p90Ms: 1,
      p99Ms: 2,
      errors: 0,
      singleConnection: { requestsPerSecond: 3_000, p50Ms: overrides.p50Ms / 4, p99Ms: 1, errors: 0 },
      proxyCpuSeconds: 1,
      requestsPerProxyCpuSecond: overrides.perCpuSecond,
    },
    webSocket: {
      roundTripsPerSecond: overrides.roundTrips,
      roundTripP50Ms: 1,
      roundTripP99Ms: 2,
      roundTripErrors: 0,
      setupP50Ms: 1,
      setupP99Ms: 2,
      setupFailures: 0,
    },
    memory: { first: hold, again: hold, inFreshProcess: name === 'cove' },
    churn: {
      rounds: 2,
      abortedRequests: 10_000,
      droppedWebSockets: 2_000,
      failedWebSockets: 0,
      before: reading,
      afterEachRound: [
        { fds: 20, rssKb: 104_000, liveHeapKb: reading.liveHeapKb },
        {
          fds: 20,
          rssKb: 104_500,
          liveHeapKb: reading.liveHeapKb === null ? null : reading.liveHeapKb + 300,
        },
      ],
      upstreamRequestsRunToCompletion: 0,
      upstreamRequestsCancelled: 9_000,
      upstreamOpenRequestsAfter: 0,
      upstreamOpenWebSocketsAfter: 0,
    },
  };
  return result;
}

describe('evaluateGoals', () => {
  const results = [
    target('direct', { p50Ms: 1, roundTrips: 40_000, perCpuSecond: null }),
    target('nginx-1', { p50Ms: 1.1, roundTrips: 30_000, perCpuSecond: 40_000 }),
    target('cove', { p50Ms: 1.2, roundTrips: 28_000, perCpuSecond: 10_000 }),
  ];
  const verdicts = Object.fromEntries(evaluateGoals(results, 2).map((goal) => [goal.goal, goal.isMet]));

  it('judges each target of the issue from the numbers', () => {
    expect(verdicts['added p50 <= 0.3 ms vs direct, 1 connection']).toBe(true);
    expect(verdicts['added p50 <= 0.3 ms vs direct, 64 connections']).toBe(true);
    expect(verdicts['WebSocket round trips >= 0.9 x nginx (1 worker)']).toBe(true);
    expect(verdicts["memory per WebSocket below nginx's (1 worker), first hold"]).toBe(true);
    expect(verdicts['HTTP throughput >= 0.4 x nginx per core (req per CPU-second)']).toBe(false);
    expect(verdicts['the proxy uses every core']).toBe(false);
    expect(verdicts['no descriptor growth after churn']).toBe(true);
    expect(verdicts['no memory growth after churn (later rounds <= 512 KB)']).toBe(true);
    expect(verdicts['abandoned requests are cancelled upstream']).toBe(true);
  });

  it('calls a live heap that keeps growing round after round a leak', () => {
    const cove = target('cove', { p50Ms: 1.2, roundTrips: 28_000, perCpuSecond: 10_000 });
    const leaking: TargetResults = {
      ...cove,
      churn: cove.churn && {
        ...cove.churn,
        afterEachRound: [
          { fds: 20, rssKb: 104_000, liveHeapKb: 21_000 },
          { fds: 21, rssKb: 106_000, liveHeapKb: 23_000 },
        ],
      },
    };
    const goals = evaluateGoals([results[0]!, results[1]!, leaking], 2);
    expect(goals.find((goal) => goal.goal.startsWith('no memory growth'))?.isMet).toBe(false);
    expect(goals.find((goal) => goal.goal.startsWith('no descriptor growth'))?.isMet).toBe(false);
  });

  it('says "not measured" (null) rather than guessing when a path is missing', () => {
    const withoutNginx = evaluateGoals(
      results.filter((result) => result.name !== 'nginx-1'),
      2,
    );
    expect(withoutNginx.find((goal) => goal.goal.startsWith('WebSocket'))?.isMet).toBeNull();
  });
});
