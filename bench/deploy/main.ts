// Push to live, Cove against a plain pip Dockerfile on the same machine: for each app, the first
// deploy, code-only redeploys and a dependency change, each step run on both sides in turn so both
// see the same load. Prints the tables and writes bench/results/deploy-<time>.json.
// Run it with `npm run bench:deploy` (`-- --quick`: the small app only, fewer repeats).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AppKind,
  appKinds,
  appSpecs,
  codeChange,
  dependencyChange,
  initialFiles,
  type Step,
  versionMarker,
} from './apps';
import { type CoveSide, startCoveSide } from './cove';
import { startReferenceSide } from './reference';
import { evaluateGoals, formatReport, type Measurement, type Side } from './report';

const isQuick = process.argv.includes('--quick');
/** Cove alone, no reference: for comparing changes to the builder before and after. */
const isCoveOnly = process.argv.includes('--cove-only');
const apps: readonly AppKind[] = isQuick ? ['small'] : appKinds;
const repeatsArgument = process.argv.find((argument) => argument.startsWith('--code-pushes='));
const codeRepeats = repeatsArgument ? Number(repeatsArgument.split('=')[1]) : isQuick ? 2 : 3;
/** Bounds per deploy: an install from PyPI may be slow, a code-only push never should be. */
const timeoutMs: Record<Step, number> = { first: 600_000, code: 120_000, dependency: 600_000 };
const baseImage = process.env.BENCH_BASE_IMAGE ?? 'cove/base-python:bookworm';
const runId = randomBytes(3).toString('hex');
const resultsDirectory = fileURLToPath(new URL('../results/', import.meta.url));

function step(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${message}\n`);
}

function gitOutput(args: string[]): string {
  return spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? '';
}

/** The build log's timing lines ("Timings: ..."), which say where a deploy's seconds went. */
function phaseLines(buildLog: readonly string[]): string[] {
  return buildLog
    .filter((line) => line.startsWith('Timings:'))
    .map((line) => line.slice('Timings:'.length).trim());
}

/** Prints the tables and writes the raw results; before the clean-up, so a slow engine loses nothing. */
function publish(
  measurements: readonly Measurement[],
  run: { startedAt: Date; loadAverageAtStart: number[]; isComplete: boolean },
): void {
  const { startedAt, loadAverageAtStart } = run;
  const report = formatReport(measurements, apps);
  process.stdout.write(`\n${report}\n`);
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
      node: process.version,
    },
    source: {
      commit: gitOutput(['rev-parse', '--short', 'HEAD']),
      hasUncommittedBuilderChanges: gitOutput(['status', '--porcelain', 'services/builder']) !== '',
    },
    settings: { apps, codeRepeats, baseImage, isQuick, isCoveOnly },
    isComplete: run.isComplete,
    measurements,
    goals: evaluateGoals(measurements, apps),
  };
  mkdirSync(resultsDirectory, { recursive: true });
  const file = join(
    resultsDirectory,
    `deploy-${startedAt.toISOString().replaceAll(':', '-').replace('.', '-')}${isQuick ? '-quick' : ''}${isCoveOnly ? '-cove-only' : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  step(`raw results: ${file}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  step(
    `deploy bench ${runId}: ${apps.join(', ')}; ${codeRepeats} code-only pushes each; base image ${baseImage}`,
  );
  const cove: CoveSide = await startCoveSide({
    COVE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    COVE_HEALTH_TIMEOUT_SECONDS: '90',
    COVE_BUILD_CONCURRENCY: '1',
  });
  const workDir = join(tmpdir(), `cove-deploy-bench-${runId}`);
  const caDir = fileURLToPath(new URL('../../runtime-image/extra-ca/', import.meta.url));
  const references = {
    plain: startReferenceSide({ runId, baseImage, kind: 'plain', workDir, caDir }),
    layered: startReferenceSide({ runId, baseImage, kind: 'layered', workDir, caDir }),
  };
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      step('cleaning up: containers, images, the test database and Redis keys');
      await cove.stop();
      await references.plain.stop();
      await references.layered.stop();
    })();
    return cleaning;
  };
  // Stopped by hand (Ctrl-C) or by a time limit: still leave nothing behind.
  const interrupt = () => {
    cleanUp().then(
      () => process.exit(130),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const measurements: Measurement[] = [];
  let isComplete = false;
  const record = (app: AppKind, stepName: Step, side: Side, milliseconds: number, phases: string[] = []) => {
    let found = measurements.find((m) => m.app === app && m.step === stepName && m.side === side);
    if (found === undefined) {
      found = { app, step: stepName, side, milliseconds: [], ...(side === 'cove' ? { phases: [] } : {}) };
      measurements.push(found);
    }
    found.milliseconds.push(milliseconds);
    found.phases?.push(...phases);
    step(
      `  ${side}: ${(milliseconds / 1000).toFixed(1)} s${phases.length > 0 ? ` (${phases.join('; ')})` : ''}`,
    );
  };

  try {
    for (const app of apps) {
      const spec = appSpecs[app];
      const name = `bench-${app}-${runId}`;
      let version = 0;
      const nextMarker = (label: string) => {
        version += 1;
        return versionMarker(runId, `${app} ${label} ${version}`);
      };

      step(`${spec.description}: first deploy`);
      const firstMarker = nextMarker('first');
      const files = initialFiles(spec, runId, firstMarker);
      await cove.createRepo(name, files);
      const first = await cove.firstDeploy(name, firstMarker, timeoutMs.first);
      record(app, 'first', 'cove', first.milliseconds, phaseLines(first.buildLog));
      if (!isCoveOnly) {
        record(
          app,
          'first',
          'plain',
          await references.plain.deploy(app, files, firstMarker, timeoutMs.first),
        );
        record(
          app,
          'first',
          'layered',
          await references.layered.deploy(app, files, firstMarker, timeoutMs.first),
        );
      }

      for (let repeat = 1; repeat <= codeRepeats; repeat += 1) {
        step(`${spec.description}: code-only push ${repeat}/${codeRepeats}`);
        const marker = nextMarker('code');
        const change = codeChange(spec, marker);
        const pushed = await cove.push(name, change, marker, timeoutMs.code);
        record(app, 'code', 'cove', pushed.milliseconds, phaseLines(pushed.buildLog));
        if (!isCoveOnly) {
          record(app, 'code', 'plain', await references.plain.deploy(app, change, marker, timeoutMs.first));
          record(
            app,
            'code',
            'layered',
            await references.layered.deploy(app, change, marker, timeoutMs.code),
          );
        }
      }

      step(`${spec.description}: dependency change (+${spec.addedRequirement})`);
      const marker = nextMarker('dependency');
      const change = dependencyChange(spec, runId, marker);
      const pushed = await cove.push(name, change, marker, timeoutMs.dependency);
      record(app, 'dependency', 'cove', pushed.milliseconds, phaseLines(pushed.buildLog));
      if (!isCoveOnly) {
        record(
          app,
          'dependency',
          'plain',
          await references.plain.deploy(app, change, marker, timeoutMs.dependency),
        );
      }
    }
    isComplete = true;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    if (measurements.length > 0) publish(measurements, { startedAt, loadAverageAtStart, isComplete });
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `deploy bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
