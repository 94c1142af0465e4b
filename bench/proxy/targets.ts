// The paths a request can take to the same upstream: straight to it, through nginx with one worker
// and with one per core, and through Cove's proxy. Each proxy runs in its own process(es).
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queuePrefix } from '@cove/shared/jobs/catalogue';
import { routeKeys, writeRoute } from '@cove/shared/routing/route-table';
import type { Redis } from 'ioredis';
import { type Child, startChild } from './processes/child';
import { startCoveCluster } from './processes/cove-cluster';
import { startNginx } from './processes/nginx';

export const targetNames = ['direct', 'nginx-1', 'nginx-auto', 'cove', 'cove-cluster'] as const;
export type TargetName = (typeof targetNames)[number];

export interface Target {
  name: TargetName;
  description: string;
  port: number;
  /** The processes that do the proxying and hold its connections; none for a direct connection. */
  proxyPids: number[];
  /**
   * Lets a garbage-collected runtime drop what it no longer holds before its memory is read, and
   * says how much JavaScript memory is still live (null for a proxy without a collector).
   */
  collectGarbage(): Promise<number | null>;
  /**
   * Starts another process of the same proxy, for memory readings that a heap warmed by earlier
   * phases would blur (its free space absorbs new connections without touching new pages).
   */
  startFresh?: () => Promise<FreshTarget>;
}

export interface FreshTarget {
  target: Target;
  stop(): Promise<void>;
}

export interface RunningTargets {
  upstream: Child;
  targets: Target[];
  stop(): Promise<void>;
}

/** Every path is asked for with this Host, so requests are byte for byte the same. */
export const appName = 'bench';
export const hostHeader = `${appName}.localhost`;

const noGarbageCollector = async () => null;

function entry(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}

function coveEnvironment(options: { redisUrl: string; instance: string }): Record<string, string> {
  return {
    COVE_REDIS_URL: options.redisUrl,
    COVE_INSTANCE: options.instance,
    // The proxy never opens the database; the shared schema still asks for a URL.
    COVE_DATABASE_URL: 'postgres://bench@127.0.0.1:1/unused',
    COVE_MASTER_KEY: randomBytes(32).toString('base64'),
    COVE_LOG_LEVEL: 'info',
    COVE_APPS_DOMAIN: 'localhost',
    COVE_APPS_SCHEME: 'http',
    COVE_DASHBOARD_URL: 'http://localhost:4100',
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
    // Every load comes from 127.0.0.1 and holds up to 2,000 WebSockets (nginx has no such cap either).
    COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS: '100000',
    COVE_PROXY_MAX_CONNECTIONS: '100000',
  };
}

export function startCoveProxy(options: {
  directory: string;
  redisUrl: string;
  instance: string;
}): Promise<Child> {
  return startChild({
    description: "Cove's proxy",
    entry: entry('./processes/cove-proxy.ts'),
    env: coveEnvironment(options),
    logFile: join(options.directory, 'cove-proxy.log'),
  });
}

/** Workers for the cluster path: BENCH_COVE_WORKERS, else one per core (at least two). */
function clusterWorkerCount(): number {
  const asked = Number(process.env.BENCH_COVE_WORKERS);
  return Number.isInteger(asked) && asked > 1 ? asked : Math.max(2, availableParallelism());
}

function coveTarget(cove: Child, startCove?: () => Promise<Child>): Target {
  const target: Target = {
    name: 'cove',
    description: "Cove's proxy (1 Node process)",
    port: cove.port,
    proxyPids: [cove.pid],
    collectGarbage: async () => (await cove.ask({ type: 'collect-garbage' }, 'garbage-collected')).liveHeapKb,
  };
  if (startCove) {
    target.startFresh = async () => {
      const fresh = await startCove();
      return { target: coveTarget(fresh), stop: () => fresh.stop() };
    };
  }
  return target;
}

async function deleteKeysMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function deleteInstanceKeys(redis: Redis, instance: string): Promise<void> {
  await redis.del(routeKeys(instance).table);
  await deleteKeysMatching(redis, `cove:${instance}:*`);
  await deleteKeysMatching(redis, `${queuePrefix(instance)}:*`);
}

export async function startTargets(options: {
  directory: string;
  redis: Redis;
  redisUrl: string;
}): Promise<RunningTargets> {
  const { directory, redis } = options;
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopper of [...stoppers].reverse()) await stopper().catch(() => undefined);
  };
  try {
    const upstream = await startChild({
      description: 'the upstream server',
      entry: entry('./processes/upstream-server.ts'),
      env: {},
      logFile: join(directory, 'upstream.log'),
    });
    stoppers.push(() => upstream.stop());

    const nginxOne = await startNginx({
      workerProcesses: 1,
      upstreamPort: upstream.port,
      directory: join(directory, 'nginx-1'),
    });
    stoppers.push(() => nginxOne.stop());
    const nginxAuto = await startNginx({
      workerProcesses: 'auto',
      upstreamPort: upstream.port,
      directory: join(directory, 'nginx-auto'),
    });
    stoppers.push(() => nginxAuto.stop());

    // A route of our own, under an instance name nobody else uses. Everything the proxy writes
    // under that name (the route, activity, queue metadata) is removed once it has stopped.
    const instance = `bench-${randomBytes(4).toString('hex')}`;
    stoppers.push(() => deleteInstanceKeys(redis, instance));
    await writeRoute(redis, instance, {
      appId: randomUUID(),
      appName,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
    const startCove = () => startCoveProxy({ directory, redisUrl: options.redisUrl, instance });
    const cove = await startCove();
    stoppers.push(() => cove.stop());
    const workers = clusterWorkerCount();
    const cluster = await startCoveCluster({
      workers,
      env: coveEnvironment({ redisUrl: options.redisUrl, instance }),
      hostHeader,
      logFile: join(directory, 'cove-cluster.log'),
    });
    stoppers.push(() => cluster.stop());

    const targets: Target[] = [
      {
        name: 'direct',
        description: 'straight to the upstream',
        port: upstream.port,
        proxyPids: [],
        collectGarbage: noGarbageCollector,
      },
      {
        name: 'nginx-1',
        description: 'nginx, 1 worker',
        port: nginxOne.port,
        proxyPids: nginxOne.workerPids,
        collectGarbage: noGarbageCollector,
      },
      {
        name: 'nginx-auto',
        description: `nginx, worker_processes auto (${nginxAuto.workerPids.length})`,
        port: nginxAuto.port,
        proxyPids: nginxAuto.workerPids,
        collectGarbage: noGarbageCollector,
      },
      coveTarget(cove, startCove),
      {
        name: 'cove-cluster',
        description: `Cove's proxy through main.ts, ${workers} workers (node:cluster)`,
        port: cluster.port,
        // The primary accepts every connection and hands it to a worker, so its CPU counts too.
        proxyPids: [cluster.primaryPid, ...cluster.workerPids],
        collectGarbage: noGarbageCollector,
      },
    ];
    return { upstream, targets, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
