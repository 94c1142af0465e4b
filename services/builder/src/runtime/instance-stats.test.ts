import { expect, test } from 'vitest';
import { instanceStatsOf } from './instance-stats';

test('reads CPU in cores over the interval and memory without the droppable cache (cgroup v2)', () => {
  const stats = instanceStatsOf({
    cpu_stats: {
      cpu_usage: { total_usage: 3_000_000_000 },
      system_cpu_usage: 20_000_000_000,
      online_cpus: 2,
    },
    precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 16_000_000_000 },
    memory_stats: { usage: 150_000_000, limit: 268_435_456, stats: { inactive_file: 50_000_000 } },
  });
  expect(stats).toEqual({ cpuCores: 0.5, memoryBytes: 100_000_000, memoryLimitBytes: 268_435_456 });
});

test("reads cgroup v1's cache figure, and gives 0 CPU without an earlier reading", () => {
  const stats = instanceStatsOf({
    cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 4 },
    precpu_stats: {},
    memory_stats: { usage: 80, limit: 100, stats: { total_inactive_file: 30 } },
  });
  expect(stats).toEqual({ cpuCores: 0, memoryBytes: 50, memoryLimitBytes: 100 });
});

test('a stopped container (no memory figure) has no stats', () => {
  expect(instanceStatsOf({ cpu_stats: {}, precpu_stats: {}, memory_stats: {} })).toBeNull();
});
