// Cove's proxy side by side with a direct connection and nginx: starts everything on 127.0.0.1,
// runs each measurement against each path in turn, prints the tables and writes the raw results.
// Run it with `npm run bench:proxy` (bench/proxy/run.sh installs wrk, nginx and Redis if missing).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { evaluateGoals } from './goals';
import { measureChurn, measureHttp, measureMemory, measureWebSocket, type Settings } from './phases';
import { formatReport } from './report';
import type { BenchResults, TargetResults } from './results';
import { startTargets, type Target } from './targets';

const isQuick = process.argv.includes('--quick');

/** The full run takes about three minutes on two busy cores; --quick is for trying changes. */
const settings: Settings = {
  httpConnections: 64,
  httpThreads: 1,
  httpWarmupSeconds: isQuick ? 2 : 3,
  httpRounds: isQuick ? 3 : 4,
  httpSecondsPerRound: isQuick ? 1 : 2,
  singleConnectionSeconds: isQuick ? 2 : 3,
  webSocketConnections: 50,
  webSocketWarmupMs: 1_000,
  webSocketRounds: isQuick ? 2 : 4,
  webSocketMsPerRound: isQuick ? 1_000 : 1_500,
  webSocketPayloadBytes: 32,
  setupSamples: isQuick ? 100 : 300,
  heldWebSockets: isQuick ? 500 : 2_000,
  abortedRequests: isQuick ? 1_000 : 5_000,
  droppedWebSockets: isQuick ? 200 : 1_000,
  churnRounds: 2,
};

const redisUrl = process.env.COVE_REDIS_URL ?? `redis://127.0.0.1:${process.env.COVE_REDIS_PORT ?? '56379'}`;
const resultsDirectory = fileURLToPath(new URL('../results/', import.meta.url));

/** The first line a tool prints about its version (nginx on stderr; wrk with a usage error). */
function versionOf(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0]?.trim() ?? '';
}

function step(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${message}\n`);
}

async function forEachTarget<T>(
  targets: readonly Target[],
  phase: string,
  measure: (target: Target) => Promise<T>,
): Promise<Map<Target['name'], T>> {
  const results = new Map<Target['name'], T>();
  for (const target of targets) {
    step(`${phase}: ${target.description}`);
    results.set(target.name, await measure(target));
  }
  return results;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const cores = availableParallelism();
  const loadAverageAtStart = loadavg();
  const directory = mkdtempSync(join(tmpdir(), 'cove-bench-proxy-'));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  let running: Awaited<ReturnType<typeof startTargets>> | undefined;
  const cleanUp = async () => {
    await running?.stop();
    redis.disconnect();
    rmSync(directory, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    step('interrupted; stopping what the benchmark started');
    cleanUp().finally(() => process.exit(130));
  });

  try {
    await redis.connect().catch((error: unknown) => {
      throw new Error(
        `cannot reach Redis at ${redisUrl} (${error instanceof Error ? error.message : String(error)}); set COVE_REDIS_URL`,
      );
    });
    step(
      `starting the upstream, nginx (1 worker and auto), Cove's proxy; ${cores} cores, load ${loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}`,
    );
    running = await startTargets({ directory, redis, redisUrl });
    const { targets, upstream } = running;
    const proxies = targets.filter((target) => target.proxyPids.length > 0);

    const http = await measureHttp(targets, settings, step);
    const webSocket = await measureWebSocket(targets, upstream, settings, step);
    const memory = await forEachTarget(proxies, 'held WebSockets', (target) =>
      measureMemory(target, upstream, settings),
    );
    const churn = await forEachTarget(proxies, 'churn', (target) => measureChurn(target, upstream, settings));

    const targetResults: TargetResults[] = targets.map((target) => {
      const httpResult = http.get(target.name);
      const webSocketResult = webSocket.get(target.name);
      if (!httpResult || !webSocketResult) throw new Error(`no results for ${target.name}`);
      return {
        name: target.name,
        description: target.description,
        processes: target.proxyPids.length,
        http: httpResult,
        webSocket: webSocketResult,
        memory: memory.get(target.name) ?? null,
        churn: churn.get(target.name) ?? null,
      };
    });
    const results: BenchResults = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cores,
        loadAverageAtStart,
        node: process.version,
        nginx: versionOf('nginx', ['-v']),
        wrk: versionOf('wrk', ['--version']),
      },
      proxySource: {
        commit: versionOf('git', ['rev-parse', '--short', 'HEAD']),
        hasUncommittedChanges: versionOf('git', ['status', '--porcelain', '--', 'services/proxy']) !== '',
      },
      settings,
      targets: targetResults,
      goals: evaluateGoals(targetResults, cores),
    };
    process.stdout.write(`\n${formatReport(results)}\n\n`);
    mkdirSync(resultsDirectory, { recursive: true });
    const file = join(
      resultsDirectory,
      `proxy-${results.startedAt.replace(/[:.]/g, '-')}${isQuick ? '-quick' : ''}.json`,
    );
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    step(`raw results written to ${file}`);
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `proxy benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
