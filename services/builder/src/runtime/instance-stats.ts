// The engine's one-shot stats of a container (GET /containers/{id}/stats?stream=false) as Cove
// reads them: CPU in cores over the engine's last interval, memory in use without the page cache
// the kernel can drop (as `docker stats` shows it), and the memory limit.
import type { InstanceStats } from './types';

/** The fields of Docker's stats answer Cove reads (cgroup v1 and v2 name the cache differently). */
export interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
}

/** Null when the answer holds no memory figure (the container is not running). */
export function instanceStatsOf(stats: EngineStats): InstanceStats | null {
  const memory = stats.memory_stats;
  if (memory?.usage === undefined) return null;
  const cache = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
  const cpu = stats.cpu_stats;
  const before = stats.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  const onlineCpus = cpu?.online_cpus ?? 1;
  // No earlier reading (the first stats of a container): no CPU figure to give but zero.
  const hasInterval = (before?.system_cpu_usage ?? 0) > 0 && systemDelta > 0 && cpuDelta >= 0;
  return {
    cpuCores: hasInterval ? (cpuDelta / systemDelta) * onlineCpus : 0,
    memoryBytes: Math.max(0, memory.usage - cache),
    // Docker reports the host's memory as the limit of a container without one.
    memoryLimitBytes: memory.limit && memory.limit < Number.MAX_SAFE_INTEGER ? memory.limit : null,
  };
}
