// The proxy's entry point with COVE_PROXY_WORKERS=2, as a process of its own: a primary and two
// workers that share the port, a dead worker replaced, and SIGTERM stopping the whole group.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './client';
import { childPids, connectionsHeldBy, isAlive, workerPids } from './processes';
import { startUpstream, type TestUpstream } from './upstream';

const mainEntry = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const host = 'hello.localhost';

let context: TestContext;
let upstream: TestUpstream;
let primary: ChildProcess;
let primaryPid: number;
let port: number;
let output = '';
let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
const seenWorkerPids = new Set<number>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Pids of the processes that have logged that they listen. */
function listeningPids(): Set<number> {
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    if (!line.includes('"msg":"proxy listening"')) continue;
    const pid = /"pid":(\d+)/.exec(line)?.[1];
    if (pid !== undefined) pids.add(Number(pid));
  }
  return pids;
}

/** The primary's two workers, once both listen and the proxy answers. */
function waitForTwoWorkers(description: string): Promise<number[]> {
  return waitFor(
    async () => {
      if (exit !== undefined)
        throw new Error(`the proxy exited (${JSON.stringify(exit)}): ${output.slice(-2000)}`);
      const workers = await workerPids(primaryPid);
      const listening = listeningPids();
      if (workers.length !== 2 || !workers.every((pid) => listening.has(pid))) return undefined;
      const response = await send(port, host, '/');
      return response.status === 200 ? workers : undefined;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 50,
      description,
    },
  );
}

/** Sends the requests at once over a keep-alive agent, so each has a connection of its own, kept open. */
async function holdConnections(agent: Agent, count: number): Promise<string[]> {
  const one = () =>
    new Promise<string>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path: '/', agent, headers: { host } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end();
    });
  return Promise.all(Array.from({ length: count }, one));
}

beforeAll(async () => {
  context = await createTestContext();
  upstream = await startUpstream('cluster');
  await writeRoute(context.redis, context.instance, {
    appId: randomUUID(),
    appName: 'hello',
    status: 'running',
    upstream: { host: '127.0.0.1', port: upstream.port },
  });
  port = await freePort();
  primary = spawn(process.execPath, ['--import', 'tsx', mainEntry], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? '',
      ...context.env,
      COVE_LOG_LEVEL: 'info',
      COVE_PROXY_HOST: '127.0.0.1',
      COVE_PROXY_PORT: String(port),
      COVE_PROXY_WORKERS: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (primary.pid === undefined) throw new Error('the proxy did not start');
  primaryPid = primary.pid;
  primary.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  primary.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  primary.once('exit', (code, signal) => {
    exit = { code, signal };
  });
});

afterAll(async () => {
  if (primary && exit === undefined) {
    for (const pid of await childPids(primaryPid)) process.kill(pid, 'SIGKILL');
    primary.kill('SIGKILL');
  }
  for (const pid of seenWorkerPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await upstream?.close();
  await context?.close();
});

describe('the proxy with two workers', () => {
  it('serves routes from both workers', async () => {
    const workers = await waitForTwoWorkers('two workers answering');
    for (const pid of workers) seenWorkerPids.add(pid);

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const bodies = await holdConnections(agent, 8);
      for (const body of bodies) expect(JSON.parse(body)).toMatchObject({ upstream: 'cluster', url: '/' });
      // The primary hands connections to the workers in turn; each holds some of the eight.
      const held = await connectionsHeldBy(workers, port);
      expect([...held.values()].every((count) => count > 0)).toBe(true);
      expect([...held.values()].reduce((sum, count) => sum + count, 0)).toBe(8);
    } finally {
      agent.destroy();
    }
  });

  it('replaces a worker that dies', async () => {
    const [victim, survivor] = await waitForTwoWorkers('two workers before the kill');
    if (victim === undefined || survivor === undefined) throw new Error('expected two workers');
    process.kill(victim, 'SIGKILL');
    const replaced = await waitFor(
      async () => {
        const workers = await workerPids(primaryPid);
        return workers.length === 2 && !workers.includes(victim) ? workers : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, description: 'a new worker in place of the killed one' },
    );
    for (const pid of replaced) seenWorkerPids.add(pid);
    expect(replaced).toContain(survivor);
    await waitForTwoWorkers('the replacement worker answering');
    expect(output).toContain('proxy worker died; starting another');
  });

  it('stops every worker and exits on SIGTERM', async () => {
    const workers = await waitForTwoWorkers('two workers before SIGTERM');
    primary.kill('SIGTERM');
    const result = await waitFor(() => exit, {
      timeoutMs: 20_000,
      intervalMs: 50,
      description: 'the primary to exit',
    });
    expect(result).toEqual({ code: 0, signal: null });
    await waitFor(() => workers.every((pid) => !isAlive(pid)), {
      timeoutMs: 5_000,
      intervalMs: 50,
      description: 'the workers to be gone',
    });
    expect(output.match(/"msg":"proxy stopped"/g)?.length).toBe(2);
  });
});
