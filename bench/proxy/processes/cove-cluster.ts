// Cove's proxy started as in production, through services/proxy/src/main.ts, with several workers
// (node:cluster). main.ts has no IPC to report a port, so the benchmark picks a free one and waits
// until the proxy answers for the bench app with every worker running.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { childPidsOf } from '../../lib/proc';
import { waitUntil } from '../../lib/wait';

export interface CoveCluster {
  primaryPid: number;
  workerPids: number[];
  port: number;
  stop(): Promise<void>;
}

const mainEntry = fileURLToPath(new URL('../../../services/proxy/src/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port for the proxy');
  return address.port;
}

function statusOf(port: number, hostHeader: string): Promise<number> {
  return new Promise((resolve) => {
    const asked = request(
      { host: '127.0.0.1', port, path: '/', agent: false, headers: { host: hostHeader } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    asked.on('error', () => resolve(0));
    asked.end();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startCoveCluster(options: {
  workers: number;
  env: Record<string, string>;
  hostHeader: string;
  logFile: string;
}): Promise<CoveCluster> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', mainEntry], {
    env: {
      ...process.env,
      ...options.env,
      COVE_PROXY_PORT: String(port),
      COVE_PROXY_WORKERS: String(options.workers),
    },
    stdio: ['ignore', log, log],
  });
  const primaryPid = child.pid;
  if (primaryPid === undefined) throw new Error("Cove's proxy (cluster) did not start");
  try {
    // Every worker answers once it has loaded the routes; a few rounds of requests reach them all.
    const workerPids = await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`Cove's proxy (cluster) exited; see ${options.logFile}`);
        const workers = await childPidsOf(primaryPid);
        if (workers.length !== options.workers) return undefined;
        const statuses = await Promise.all(workers.map(() => statusOf(port, options.hostHeader)));
        return statuses.every((status) => status === 200) ? workers : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        description: `Cove's proxy with ${options.workers} workers to answer`,
      },
    );
    return { primaryPid, workerPids, port, stop: () => stopChild(child) };
  } catch (error) {
    child.kill('SIGKILL');
    for (const pid of await childPidsOf(primaryPid)) process.kill(pid, 'SIGKILL');
    throw error;
  }
}
