// What /proc says about the proxy's processes: the children of a primary, and which process holds
// which established TCP connection to a port (to see that every worker answers clients).
import { readdir, readFile, readlink } from 'node:fs/promises';

/** The children of a process, from /proc/<pid>/task/<thread>/children (no scan of every process). */
export async function childPids(pid: number): Promise<number[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => []);
  const lists = await Promise.all(
    threads.map((thread) => readFile(`/proc/${pid}/task/${thread}/children`, 'utf8').catch(() => '')),
  );
  return lists
    .flatMap((list) => list.split(' '))
    .filter((entry) => entry.trim() !== '')
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The cluster primary's workers: its node children. tsx may also run an esbuild service as a child
 * of the primary (when its transform cache is cold), which is not a worker.
 */
export async function workerPids(primaryPid: number): Promise<number[]> {
  const children = await childPids(primaryPid);
  const names = await Promise.all(
    children.map((pid) => readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')),
  );
  return children.filter((_, index) => names[index]?.trim() === 'node');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Socket inodes of established IPv4 connections whose local end is the port. */
async function establishedInodes(localPort: number): Promise<Set<string>> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (local === undefined || inode === undefined) continue;
    if (state === '01' && Number.parseInt(local.split(':')[1] ?? '', 16) === localPort) inodes.add(inode);
  }
  return inodes;
}

/** How many established connections to the port each process holds. */
export async function connectionsHeldBy(pids: number[], localPort: number): Promise<Map<number, number>> {
  const established = await establishedInodes(localPort);
  const counts = new Map<number, number>();
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    counts.set(
      pid,
      targets.filter((target) => established.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')).length,
    );
  }
  return counts;
}
