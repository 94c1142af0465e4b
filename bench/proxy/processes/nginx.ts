// Runs Debian's nginx in the foreground with the benchmark's config, and finds its workers: they,
// not the master, hold the connections, so memory and descriptors are read from them.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { childPidsOf } from '../../lib/proc';
import { waitUntil } from '../../lib/wait';
import { nginxConfig } from './nginx-config';

export interface RunningNginx {
  port: number;
  masterPid: number;
  workerPids: number[];
  stop(): Promise<void>;
}

/** A port nobody listens on right now, for programs that cannot report the one they picked. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startNginx(options: {
  workerProcesses: number | 'auto';
  upstreamPort: number;
  directory: string;
}): Promise<RunningNginx> {
  const prefix = options.directory;
  await mkdir(prefix, { recursive: true });
  // Workers run as nobody and create their temp directories here.
  await chmod(prefix, 0o755);
  const port = await freePort();
  const configPath = join(prefix, 'nginx.conf');
  await writeFile(
    configPath,
    nginxConfig({
      workerProcesses: options.workerProcesses,
      listenPort: port,
      upstreamPort: options.upstreamPort,
      prefix,
    }),
  );
  const master = spawn('nginx', ['-p', `${prefix}/`, '-c', configPath, '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const masterPid = master.pid;
  if (masterPid === undefined) throw new Error('nginx did not start; is it installed?');
  const expectedWorkers =
    options.workerProcesses === 'auto' ? availableParallelism() : options.workerProcesses;
  try {
    const workerPids = await waitUntil(
      async () => {
        if (master.exitCode !== null) throw new Error(`nginx exited with code ${master.exitCode}`);
        const children = await childPidsOf(masterPid);
        return children.length >= expectedWorkers ? children : undefined;
      },
      {
        timeoutMs: 10_000,
        description: `nginx (${options.workerProcesses} workers) to start; see ${prefix}/error.log`,
      },
    );
    return { port, masterPid, workerPids, stop: () => stopProcess(master) };
  } catch (error) {
    await stopProcess(master);
    throw error;
  }
}
