import { describe, expect, test } from 'vitest';
import { decideScale, type ScaledApp } from './decide-scale';

const nowMs = Date.UTC(2026, 11, 7, 12);
const secondsAgo = (seconds: number) => nowMs - seconds * 1000;

function app(overrides: Partial<ScaledApp> = {}): ScaledApp {
  return {
    appId: 'a',
    replicaCount: 2,
    minReplicas: 1,
    maxReplicas: 4,
    sessionsPerReplica: 10,
    idleAfterSeconds: 60,
    replicas: [
      { replicaId: 'r1', sessions: 5, lastBusyMs: nowMs },
      { replicaId: 'r2', sessions: 5, lastBusyMs: nowMs },
    ],
    ...overrides,
  };
}

describe('decideScale', () => {
  test.each([
    { case: 'sessions within the setting: nothing', given: app(), expected: [] },
    {
      case: 'sessions past the setting: up to what they need',
      given: app({
        replicas: [
          { replicaId: 'r1', sessions: 15, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 11, lastBusyMs: nowMs },
        ],
      }),
      expected: [
        {
          kind: 'scale-to',
          appId: 'a',
          count: 3,
          reason: expect.stringMatching(/^Scaled up to 3 replicas: 26 open sessions, 10 per replica\.$/),
        },
      ],
    },
    {
      case: 'never past the maximum',
      given: app({
        maxReplicas: 3,
        replicas: [
          { replicaId: 'r1', sessions: 40, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 40, lastBusyMs: nowMs },
        ],
      }),
      expected: [{ kind: 'scale-to', appId: 'a', count: 3, reason: expect.any(String) }],
    },
    {
      case: 'a higher minimum raises the count',
      given: app({ minReplicas: 3 }),
      expected: [{ kind: 'scale-to', appId: 'a', count: 3, reason: expect.any(String) }],
    },
    {
      case: 'a lower maximum lowers the count',
      given: app({ replicaCount: 3, maxReplicas: 2 }),
      expected: [{ kind: 'scale-to', appId: 'a', count: 2, reason: expect.any(String) }],
    },
    {
      case: 'a replica idle past the threshold stops',
      given: app({
        replicas: [
          { replicaId: 'r1', sessions: 3, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 0, lastBusyMs: secondsAgo(61) },
        ],
      }),
      expected: [
        {
          kind: 'scale-down',
          appId: 'a',
          replicaId: 'r2',
          count: 1,
          reason: 'Scaled down to 1 replica: one had no session for 60 s.',
        },
      ],
    },
    {
      case: 'idle, but not for long enough: kept',
      given: app({
        replicas: [
          { replicaId: 'r1', sessions: 3, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 0, lastBusyMs: secondsAgo(30) },
        ],
      }),
      expected: [],
    },
    {
      case: 'never below the minimum',
      given: app({
        minReplicas: 2,
        replicas: [
          { replicaId: 'r1', sessions: 0, lastBusyMs: secondsAgo(600) },
          { replicaId: 'r2', sessions: 0, lastBusyMs: secondsAgo(600) },
        ],
      }),
      expected: [],
    },
    {
      case: 'the recorded replica (the first) is never the one stopped',
      given: app({
        replicas: [
          { replicaId: 'r1', sessions: 0, lastBusyMs: secondsAgo(600) },
          { replicaId: 'r2', sessions: 4, lastBusyMs: nowMs },
        ],
      }),
      expected: [],
    },
    {
      case: 'nothing stops while a replica is missing (starting, or died)',
      given: app({
        replicaCount: 3,
        replicas: [
          { replicaId: 'r1', sessions: 1, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 0, lastBusyMs: secondsAgo(600) },
        ],
      }),
      expected: [],
    },
    {
      case: 'an idle time of 0 never stops a replica',
      given: app({
        idleAfterSeconds: 0,
        replicas: [
          { replicaId: 'r1', sessions: 1, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 0, lastBusyMs: secondsAgo(6000) },
        ],
      }),
      expected: [],
    },
    {
      case: 'a replica never seen busy starts its idle clock instead of stopping',
      given: app({
        replicas: [
          { replicaId: 'r1', sessions: 1, lastBusyMs: nowMs },
          { replicaId: 'r2', sessions: 0, lastBusyMs: null },
        ],
      }),
      expected: [{ kind: 'seed-idle-clock', appId: 'a', replicaIds: ['r2'] }],
    },
  ])('$case', ({ given, expected }) => {
    expect(decideScale([given], nowMs)).toEqual(expected);
  });
});
