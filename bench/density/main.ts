// Density of one host: N apps of one workspace (same code and dependencies) created one after
// another through Cove (createApp, the builder, the swap), at most A of them awake at once (the
// oldest are stopped as new ones go live, as idle apps would be); then the memory each awake idle
// app holds beside plain `docker run`s of the same image started at the same time, the platform's
// own memory, half the awake apps frozen and half stopped and the memory again; and the proxy's
// one-connection latency with one route and with 10,000, in turns. Prints the table and writes
// bench/results/density-<time>.json. `npm run bench:density` (`-- --apps N --awake A`).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createApp } from '@cove/shared/apps/create';
import { schema } from '@cove/shared/db/client';
import { eq } from 'drizzle-orm';
import { type CoveWorld, startCoveWorld } from '../lib/cove-world';
import { inBatches, sleep, waitUntil } from '../lib/wait';
import { containerMemoryMb, processRssMb, redisRssMb } from './memory';
import { type DensityResult, evaluateGoals, formatReport, targets } from './report';
import { measureRouteTable } from './routes';

const run = promisify(execFile);

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index > 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number of at least 1`);
  return value;
}
const appCount = numberArgument('--apps', targets.appsRegistered);
const awakeCount = Math.min(appCount, numberArgument('--awake', targets.awakeAtOnce));
const plainCount = numberArgument('--plain', 6);
const routeCount = numberArgument('--routes', targets.routeTable);
const appMemoryMb = 256;
const runId = randomBytes(3).toString('hex');
const resultsDirectory = fileURLToPath(new URL('../results/', import.meta.url));
const { apps, deployments } = schema;

function step(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${message}\n`);
}

const appFiles = {
  'requirements.txt': 'humanize==4.9.0\n',
  'streamlit_app.py':
    'import humanize\nimport streamlit as st\n\nst.title("Density bench")\nst.write(humanize.naturalsize(10**9))\n',
};

async function liveOf(world: CoveWorld, name: string) {
  const [row] = await world.context.db
    .select({ app: apps, live: deployments })
    .from(apps)
    .leftJoin(deployments, eq(deployments.id, apps.liveDeploymentId))
    .where(eq(apps.name, name));
  if (!row) throw new Error(`no app ${name}`);
  return row;
}

async function waitRunning(
  world: CoveWorld,
  name: string,
): Promise<{ containerId: string; imageId: string }> {
  return waitUntil(
    async () => {
      const { app, live } = await liveOf(world, name);
      if (app.status === 'failed' || app.status === 'crashed') {
        throw new Error(`${name} is ${app.status}: ${app.statusMessage ?? ''}`);
      }
      return app.status === 'running' && live?.containerId && live.imageId
        ? { containerId: live.containerId, imageId: live.imageId }
        : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 200, description: `${name} to run` },
  );
}

async function putToSleep(world: CoveWorld, name: string, depth: 'frozen' | 'stopped'): Promise<void> {
  const { app } = await liveOf(world, name);
  await world.deps.queues.enqueueAppOperation({ appId: app.id, operation: 'sleep', depth });
  const wanted = depth === 'frozen' ? 'paused' : 'exited';
  await waitUntil(
    async () => {
      const { app: now, live } = await liveOf(world, name);
      if (now.status !== 'sleeping' || !live?.containerId) return undefined;
      const { stdout } = await run('docker', ['inspect', '--format', '{{.State.Status}}', live.containerId]);
      return stdout.trim() === wanted ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100, description: `${name} to be ${depth}` },
  );
}

/** Plain `docker run`s of the image with nothing of Cove around them, answering their health check. */
async function startPlainContainers(imageId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < plainCount; index++) {
    const { stdout } = await run('docker', [
      'run',
      '--detach',
      // The image carries the bench instance's labels: the reconciler would remove a container
      // of its instance that it did not start.
      '--label',
      `cove.instance=density-reference-${runId}`,
      '--publish',
      '127.0.0.1::8501',
      imageId,
    ]);
    ids.push(stdout.trim());
  }
  for (const id of ids) {
    const { stdout } = await run('docker', ['port', id, '8501/tcp']);
    const port = stdout.trim().split(':').pop() ?? '';
    await waitUntil(
      async () => {
        try {
          const answer = await fetch(`http://127.0.0.1:${port}/_stcore/health`);
          return answer.ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 120_000, intervalMs: 200, description: `plain container ${id.slice(0, 12)} to answer` },
    );
  }
  return ids;
}

async function memoryOf(containerIds: readonly string[]): Promise<number[]> {
  const readings = await Promise.all(containerIds.map(containerMemoryMb));
  return readings.map((reading) => reading ?? 0);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  step(
    `density bench ${runId}: ${appCount} apps, at most ${awakeCount} awake; load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  const world = await startCoveWorld('density-bench', {
    COVE_WORKSPACE_MAX_APPS: String(appCount),
    COVE_WORKSPACE_MAX_RUNNING_APPS: String(awakeCount + 2),
    // Bounds the awake apps only: all apps' settings together (appCount x 256 MB) pass it by far.
    COVE_WORKSPACE_MAX_MEMORY_MB: String((awakeCount + 2) * appMemoryMb),
    COVE_APP_MEMORY_MB: String(appMemoryMb),
    COVE_FREEZE_AFTER_SECONDS: '0',
    COVE_STOP_AFTER_SECONDS: '0',
    COVE_MEMORY_PRESSURE_MB: '0',
    COVE_HEALTH_TIMEOUT_SECONDS: '180',
    COVE_LOG_LEVEL: 'error',
  });
  let plainIds: string[] = [];
  try {
    await world.git.createRepo('density', appFiles);
    const names = Array.from({ length: appCount }, (_, index) => `density-${runId}-${index}`);
    const create = async (name: string) => {
      const startedAtMs = performance.now();
      await createApp(world.deps, world.workspaceId, {
        name,
        repoUrl: world.git.repoUrl('density'),
        branch: 'main',
        mainFile: 'streamlit_app.py',
      });
      const live = await waitRunning(world, name);
      return { seconds: (performance.now() - startedAtMs) / 1000, ...live };
    };

    const first = await create(names[0] ?? '');
    step(`first app live in ${first.seconds.toFixed(1)} s (its dependencies installed)`);

    step(`creating ${appCount - 1} more`);
    const createSeconds = [first.seconds];
    const awake = [names[0] ?? ''];
    let stoppedEarlier = 0;
    const phaseStartedAtMs = performance.now();
    await inBatches(appCount - 1, 2, async (index) => {
      const name = names[index + 1] ?? '';
      createSeconds.push((await create(name)).seconds);
      awake.push(name);
      while (awake.length > awakeCount) {
        const oldest = awake.shift();
        if (oldest === undefined) break;
        await putToSleep(world, oldest, 'stopped');
        stoppedEarlier += 1;
      }
      if ((index + 2) % 25 === 0) step(`${index + 2} of ${appCount} created, ${awake.length} awake`);
    });
    const creationPhaseSeconds = first.seconds + (performance.now() - phaseStartedAtMs) / 1000;

    const awakeIds = await Promise.all(
      awake.map(async (name) => (await waitRunning(world, name)).containerId),
    );
    step(`${awakeIds.length} awake; starting ${plainCount} plain containers of the same image beside them`);
    plainIds = await startPlainContainers(first.imageId);
    await sleep(15_000); // both sides settle after their start and health checks
    const coveAppMb = await memoryOf(awakeIds);
    const plainContainerMb = await memoryOf(plainIds);
    const platform = {
      processMb: await processRssMb(process.pid),
      redisMb: await redisRssMb(world.context.redis),
    };

    step('freezing half of the awake apps and stopping the other half');
    const half = Math.floor(awake.length / 2);
    const frozen = awake.slice(0, half);
    const stopped = awake.slice(half);
    await inBatches(frozen.length, 4, async (index) => putToSleep(world, frozen[index] ?? '', 'frozen'));
    await inBatches(stopped.length, 4, async (index) => putToSleep(world, stopped[index] ?? '', 'stopped'));
    const frozenMb = await memoryOf(awakeIds.slice(0, half));
    const stoppedReadings = await Promise.all(awakeIds.slice(half).map(containerMemoryMb));
    const result: DensityResult = {
      appsRegistered: appCount,
      createSeconds,
      creationPhaseSeconds,
      awakeAtOnce: awakeIds.length,
      coveAppMb,
      plainContainerMb,
      platform,
      asleep: {
        frozen: { count: frozen.length, totalMb: frozenMb.reduce((sum, value) => sum + value, 0) },
        stopped: {
          count: stopped.length,
          withMemory: stoppedReadings.filter((reading) => reading !== null).length,
          totalMb: stoppedReadings.reduce<number>((sum, value) => sum + (value ?? 0), 0),
        },
        stoppedEarlier,
      },
      proxy: await measureRouteTable(world.context.env, world.context.redis, runId, routeCount),
    };
    const goals = evaluateGoals(result);
    process.stdout.write(`\n${formatReport(result, goals)}`);
    mkdirSync(resultsDirectory, { recursive: true });
    const file = `${resultsDirectory}density-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
    writeFileSync(
      file,
      `${JSON.stringify({ runId, startedAt, cores: availableParallelism(), loadAverage: loadavg(), result, goals }, null, 2)}\n`,
    );
    step(`written to ${file}`);
  } finally {
    if (plainIds.length > 0) await run('docker', ['rm', '--force', ...plainIds]);
    step('cleaning up (containers, networks, images of the bench instance)');
    await world.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `density bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
