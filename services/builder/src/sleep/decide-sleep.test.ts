import { describe, expect, test } from 'vitest';
import { decideSleep, type SleepAction, type SleepCandidate, type SleepInput } from './decide-sleep';

const nowMs = Date.parse('2025-01-01T12:00:00Z');
const appId = '00000000-0000-4000-8000-00000000000a';

function candidate(overrides: Partial<SleepCandidate> = {}): SleepCandidate {
  return {
    appId,
    status: 'running',
    liveContainer: { id: 'c-live', state: 'running' },
    idle: { freezeAfterSeconds: null, stopAfterSeconds: null },
    ...overrides,
  };
}

function input(idleSeconds: number | null, overrides: Partial<SleepInput> = {}): SleepInput {
  return {
    apps: [candidate()],
    lastActivityMsByAppId: new Map(idleSeconds === null ? [] : [[appId, nowMs - idleSeconds * 1000]]),
    nowMs,
    thresholds: { freezeAfterSeconds: 60, stopAfterSeconds: 600 },
    ...overrides,
  };
}

const freeze: SleepAction = { kind: 'freeze', appId, containerId: 'c-live' };
const stop: SleepAction = { kind: 'stop', appId, containerId: 'c-live' };

describe('decideSleep', () => {
  test.each<{ case: string; input: SleepInput; expected: SleepAction[] }>([
    { case: 'a running app used recently stays awake', input: input(10), expected: [] },
    { case: 'a running app idle past the freeze threshold is frozen', input: input(60), expected: [freeze] },
    {
      case: 'a running app idle past the stop threshold is stopped at once',
      input: input(600),
      expected: [stop],
    },
    {
      case: 'a frozen app idle past the stop threshold is stopped',
      input: input(601, {
        apps: [candidate({ status: 'sleeping', liveContainer: { id: 'c-live', state: 'paused' } })],
      }),
      expected: [stop],
    },
    {
      case: 'a frozen app not yet idle long enough stays frozen',
      input: input(300, {
        apps: [candidate({ status: 'sleeping', liveContainer: { id: 'c-live', state: 'paused' } })],
      }),
      expected: [],
    },
    {
      case: 'a stopped app is left alone',
      input: input(9999, {
        apps: [candidate({ status: 'sleeping', liveContainer: { id: 'c-live', state: 'exited' } })],
      }),
      expected: [],
    },
    {
      case: 'an app never seen starts its idle clock instead of sleeping',
      input: input(null),
      expected: [{ kind: 'seed-activity', appIds: [appId] }],
    },
    {
      case: 'an app being deployed, waking or crashed is not put to sleep',
      input: input(9999, {
        apps: [
          candidate({ status: 'deploying' }),
          candidate({ status: 'waking' }),
          candidate({ status: 'crashed' }),
        ],
      }),
      expected: [],
    },
    {
      case: 'an app with no live container is not put to sleep',
      input: input(9999, { apps: [candidate({ liveContainer: null })] }),
      expected: [],
    },
    {
      case: "an app's own freeze time replaces the platform's",
      input: input(30, { apps: [candidate({ idle: { freezeAfterSeconds: 20, stopAfterSeconds: null } })] }),
      expected: [freeze],
    },
    {
      case: "an app's own stop time replaces the platform's",
      input: input(120, { apps: [candidate({ idle: { freezeAfterSeconds: null, stopAfterSeconds: 100 } })] }),
      expected: [stop],
    },
    {
      case: 'an app that turned freezing off stays awake past the platform freeze time',
      input: input(300, { apps: [candidate({ idle: { freezeAfterSeconds: 0, stopAfterSeconds: null } })] }),
      expected: [],
    },
    {
      case: 'an app that turned both depths off never sleeps',
      input: input(99_999, { apps: [candidate({ idle: { freezeAfterSeconds: 0, stopAfterSeconds: 0 } })] }),
      expected: [],
    },
    {
      case: 'with freezing off, an idle app runs until the stop threshold',
      input: input(300, { thresholds: { freezeAfterSeconds: 0, stopAfterSeconds: 600 } }),
      expected: [],
    },
    {
      case: 'with stopping off, a frozen app stays frozen however long',
      input: input(99_999, {
        apps: [candidate({ status: 'sleeping', liveContainer: { id: 'c-live', state: 'paused' } })],
        thresholds: { freezeAfterSeconds: 60, stopAfterSeconds: 0 },
      }),
      expected: [],
    },
  ])('$case', ({ input: given, expected }) => {
    expect(decideSleep(given)).toEqual(expected);
  });
});
