// Memory a container holds now, read from its cgroup the way `docker stats` reads it: usage less the
// inactive file cache (pages the kernel drops first). A container that is not running has no cgroup,
// so it holds nothing: null. Also the resident memory of processes and of Redis.
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { readRssKb } from '../lib/proc';

/** `key value` lines of a cgroup's memory.stat. */
export function parseMemoryStat(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}

/** Bytes in use from a cgroup's usage and memory.stat, as `docker stats` computes them (v1 and v2). */
export function usedBytes(usage: number, stat: Map<string, number>): number {
  const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
  return Math.max(0, usage - inactiveFile);
}

async function readIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** cgroup v1 with the cgroupfs driver, then v2 with the systemd driver and with cgroupfs. */
function cgroupCandidates(containerId: string): { usage: string; stat: string }[] {
  return [
    { usage: `/sys/fs/cgroup/memory/docker/${containerId}/memory.usage_in_bytes`, stat: 'memory.stat' },
    { usage: `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.current`, stat: 'memory.stat' },
    { usage: `/sys/fs/cgroup/docker/${containerId}/memory.current`, stat: 'memory.stat' },
  ].map((candidate) => ({
    usage: candidate.usage,
    stat: candidate.usage.replace(/[^/]+$/, candidate.stat),
  }));
}

/** MB the container holds now; null when it has no memory cgroup (stopped, or not this engine's). */
export async function containerMemoryMb(containerId: string): Promise<number | null> {
  for (const candidate of cgroupCandidates(containerId)) {
    const usage = await readIfPresent(candidate.usage);
    if (usage === null) continue;
    const stat = parseMemoryStat((await readIfPresent(candidate.stat)) ?? '');
    return usedBytes(Number(usage.trim()), stat) / (1024 * 1024);
  }
  return null;
}

export async function processRssMb(pid: number): Promise<number> {
  return (await readRssKb(pid)) / 1024;
}

/** Redis's resident memory (its whole process: the bench's instance shares it with no one else). */
export async function redisRssMb(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory_rss:(\d+)/m.exec(info);
  return match?.[1] ? Number(match[1]) / (1024 * 1024) : Number.NaN;
}
