// What the kernel says about a process: resident memory, open file descriptors, CPU time and
// children, read from /proc (Linux only). The parsers are pure; the readers are thin.
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux Node supports. */
const ticksPerSecond = 100;

export function parseVmRssKb(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  if (match?.[1] === undefined) throw new Error('no VmRSS line in /proc/<pid>/status');
  return Number(match[1]);
}

export interface StatFields {
  parentPid: number;
  cpuSeconds: number;
}

/** Fields of /proc/<pid>/stat; the command name is in parentheses and may itself hold spaces. */
export function parseStat(statText: string): StatFields {
  const afterName = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) ... utime(14) stime(15), numbered from 1 as in proc(5).
  const field = (position: number) => Number(afterName[position - 3]);
  const userTicks = field(14);
  const systemTicks = field(15);
  const parentPid = field(4);
  if (![userTicks, systemTicks, parentPid].every(Number.isFinite))
    throw new Error('unreadable /proc/<pid>/stat');
  return { parentPid, cpuSeconds: (userTicks + systemTicks) / ticksPerSecond };
}

export async function readRssKb(pid: number): Promise<number> {
  return parseVmRssKb(await readFile(`/proc/${pid}/status`, 'utf8'));
}

export async function countOpenFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

export async function readCpuSeconds(pid: number): Promise<number> {
  return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8')).cpuSeconds;
}

/** Processes whose parent is pid (nginx's workers under its master). */
export async function childPidsOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parseStat(await readFile(`/proc/${entry}/stat`, 'utf8')).parentPid === pid)
        children.push(Number(entry));
    } catch {
      // The process ended while the list was read: it is no one's child any more.
    }
  }
  return children;
}

/** Sums of a reading over several processes (all of nginx's workers). */
export async function sumOver(
  pids: readonly number[],
  read: (pid: number) => Promise<number>,
): Promise<number> {
  const values = await Promise.all(pids.map(read));
  return values.reduce((sum, value) => sum + value, 0);
}
