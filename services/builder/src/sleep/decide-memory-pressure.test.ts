import { describe, expect, test } from 'vitest';
import {
  decideMemoryPressure,
  type FrozenApp,
  type MemoryPressureInput,
  parseAvailableMemoryMb,
} from './decide-memory-pressure';

const frozen = (name: string, lastActivityMs: number | null, memoryMb = 500): FrozenApp => ({
  appId: name,
  containerId: `c-${name}`,
  lastActivityMs,
  memoryMb,
});
const oldest = frozen('oldest', 1_000);
const middle = frozen('middle', 2_000);
const newest = frozen('newest', 3_000);
const apps = [newest, oldest, middle];

describe('decideMemoryPressure', () => {
  test.each<{ case: string; input: MemoryPressureInput; stopped: string[] }>([
    {
      case: 'plenty of memory: nothing is stopped',
      input: { availableMemoryMb: 4_000, pressureBelowMb: 1_000, frozenApps: apps },
      stopped: [],
    },
    {
      case: 'exactly at the threshold is not pressure',
      input: { availableMemoryMb: 1_000, pressureBelowMb: 1_000, frozenApps: apps },
      stopped: [],
    },
    {
      case: 'a small shortfall stops the least recently visited app only',
      input: { availableMemoryMb: 900, pressureBelowMb: 1_000, frozenApps: apps },
      stopped: ['oldest'],
    },
    {
      case: 'a shortfall larger than one app stops the next least recent too',
      input: { availableMemoryMb: 400, pressureBelowMb: 1_000, frozenApps: apps },
      stopped: ['oldest', 'middle'],
    },
    {
      case: 'a shortfall larger than every frozen app stops them all',
      input: { availableMemoryMb: 0, pressureBelowMb: 10_000, frozenApps: apps },
      stopped: ['oldest', 'middle', 'newest'],
    },
    {
      case: 'an app never visited counts as the least recent',
      input: {
        availableMemoryMb: 900,
        pressureBelowMb: 1_000,
        frozenApps: [...apps, frozen('unvisited', null)],
      },
      stopped: ['unvisited'],
    },
    {
      case: 'a threshold of 0 turns it off',
      input: { availableMemoryMb: 0, pressureBelowMb: 0, frozenApps: apps },
      stopped: [],
    },
    {
      case: 'with no frozen app there is nothing to stop',
      input: { availableMemoryMb: 10, pressureBelowMb: 1_000, frozenApps: [] },
      stopped: [],
    },
  ])('$case', ({ input, stopped }) => {
    const stops = decideMemoryPressure(input);
    expect(stops.map((stop) => stop.appId)).toEqual(stopped);
    for (const stop of stops)
      expect(stop).toEqual({ kind: 'stop', appId: stop.appId, containerId: `c-${stop.appId}` });
  });
});

describe('parseAvailableMemoryMb', () => {
  test('reads MemAvailable in MB', () => {
    const meminfo = 'MemTotal:       24576000 kB\nMemFree:         1024000 kB\nMemAvailable:    8388608 kB\n';
    expect(parseAvailableMemoryMb(meminfo)).toBe(8192);
  });

  test('answers null when the kernel does not report it', () => {
    expect(parseAvailableMemoryMb('MemTotal:       24576000 kB\n')).toBeNull();
  });
});
