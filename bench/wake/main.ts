// Wake of a sleeping app, Cove against the plain engine call on the same machine: for each app
// (small, pandas) and depth (frozen, stopped), the first byte of the app's page, its first render
// (Streamlit's WebSocket delivering the script's text) and its render in Chromium, Cove woken by the
// visit through its proxy, the reference by a bare unpause / start of a container with the same image
// and config. Cove and reference go back to back (who goes first alternates) within every repeat, and
// what Cove adds is read from those pairs. Prints the table and writes bench/results/wake-<time>.json.
// Run it with `npm run bench:wake` (`-- --quick`: the small app only, two repeats; `-- --runs N`;
// `-- --browser-runs N`: the browser render in the first N repeats only, it is the slow one).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SleepDepth } from '@cove/shared/sleep/wake-state';
import { type Browser, chromium } from 'playwright-core';
import { type AppKind, appFiles, appKinds, markers } from './apps';
import { startCoveSide } from './cove';
import { detectCriu } from './criu';
import { connectEngine } from './engine';
import { pollPage, renderPage, retryOnNetworkChange, withFreshPage } from './probes';
import { createReference, type ReferenceContainer } from './reference';
import { evaluateGoals, formatReport, type Measurement, type Metric, summarizeRows } from './report';
import { measureCove, measureReference } from './rounds';

const isQuick = process.argv.includes('--quick');
function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index > 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} takes a whole number`);
  return value;
}
const runs = numberArgument('--runs', isQuick ? 2 : 10);
const browserRuns = Math.min(runs, numberArgument('--browser-runs', isQuick ? 1 : 3));
const apps: readonly AppKind[] = isQuick ? ['small'] : appKinds;
const depths: readonly SleepDepth[] = ['frozen', 'stopped'];
const metrics: readonly Metric[] = ['first-byte', 'first-render', 'browser-render'];
const runId = randomBytes(3).toString('hex');
const resultsDirectory = fileURLToPath(new URL('../results/', import.meta.url));

function step(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${message}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Chromium loses a load when Docker changes the host's interfaces; other work on the host does that. */
const networkChangeAttempts = 5;
let voidedByNetworkChange = 0;

async function warmUp(browser: Browser, url: string, marker: string, directPort: number | null) {
  const startedAtMs = performance.now();
  if (directPort !== null)
    await pollPage({ port: directPort, startedAtMs, timeoutMs: 120_000, intervalMs: 100 });
  await retryOnNetworkChange(
    networkChangeAttempts,
    () =>
      withFreshPage(browser, (page) =>
        renderPage(page, { url, text: marker, startedAtMs, timeoutMs: 120_000 }),
      ),
    () => {},
  );
}

async function main(): Promise<void> {
  if (runs < 1) throw new Error('--runs takes a whole number of at least 1');
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const engine = connectEngine(process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock');
  step(
    `wake bench ${runId}: ${apps.join(', ')}; ${runs} repeats (the browser render in ${browserRuns}); image ${process.env.COVE_RUNTIME_IMAGE}; load average ${loadAverageAtStart.map((load) => load.toFixed(2)).join(' ')}`,
  );
  // A restore from a CRIU checkpoint would keep a stopped app's loaded state; measured only where
  // the host can do it, and never set up by the bench (it needs the engine's experimental mode).
  const criu = await detectCriu(engine);
  step(`CRIU checkpoint/restore: ${criu.isUsable ? 'usable' : 'not usable here'} (${criu.reason})`);
  const cove = await startCoveSide(engine, {
    COVE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // Production's pace, not the tests' one-second passes; sleep only when the bench asks.
    COVE_RECONCILE_INTERVAL_SECONDS: '5',
    COVE_FREEZE_AFTER_SECONDS: '0',
    COVE_STOP_AFTER_SECONDS: '0',
    COVE_HEALTH_TIMEOUT_SECONDS: '120',
    COVE_WAKE_WAIT_SECONDS: '120',
  });
  const browser = await chromium.launch({
    executablePath: process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const references = new Map<AppKind, ReferenceContainer>();
  const measurements: Measurement[] = [];
  try {
    for (const app of apps) {
      const name = `wake-${app}-${runId}`;
      step(`deploying ${name}`);
      const containerId = await cove.deploy(name, appFiles(app), 900_000);
      const reference = await createReference(engine, {
        coveContainerId: containerId,
        name: `cove-wake-bench-${app}-${runId}`,
        containerPort: 8501,
        hostPort: await freePort(),
        labels: { 'cove.bench': `wake-${runId}` },
      });
      references.set(app, reference);
      await reference.start();
      // One untimed visit each, so both sides are warm (served a session) before the first sleep.
      await warmUp(
        browser,
        `http://127.0.0.1:${reference.hostPort}/`,
        markers[app],
        reference.hostPort,
      ).catch(async (error: unknown) => {
        throw new Error(
          `the reference container did not serve (${await reference.state()}): ${String(error)}\n${await reference.tailLogs()}`,
        );
      });
      await warmUp(browser, `http://${name}.localhost:${cove.proxyPort}/`, markers[app], null);
    }
    for (let run = 1; run <= runs; run += 1) {
      for (const app of apps) {
        const reference = references.get(app);
        if (!reference) throw new Error(`no reference for ${app}`);
        const target = { name: `wake-${app}-${runId}`, marker: markers[app] };
        for (const depth of depths) {
          for (const metric of metrics) {
            if (metric === 'browser-render' && run > browserRuns) continue;
            // Who goes first alternates, so neither always follows the other's wake.
            const sides = run % 2 === 1 ? (['cove', 'reference'] as const) : (['reference', 'cove'] as const);
            for (const side of sides) {
              const milliseconds = await retryOnNetworkChange(
                networkChangeAttempts,
                () =>
                  side === 'cove'
                    ? measureCove({ cove, browser, target, depth, metric })
                    : measureReference({ reference, browser, target, depth, metric }),
                () => {
                  voidedByNetworkChange += 1;
                  step(
                    `run ${run} ${app} ${depth} ${metric} ${side}: Chromium saw the network change; again`,
                  );
                },
              );
              measurements.push({ app, depth, metric, side, run, milliseconds });
              step(`run ${run} ${app} ${depth} ${metric} ${side}: ${Math.round(milliseconds)} ms`);
            }
          }
        }
      }
    }
  } finally {
    await browser.close();
    for (const reference of references.values()) await reference.remove();
    await cove.stop();
  }
  const rows = summarizeRows(measurements);
  const goals = evaluateGoals(rows);
  process.stdout.write(`\n${formatReport(rows, goals)}\n`);
  step(
    criu.isUsable
      ? 'CRIU checkpoint/restore: usable on this host, but the bench has no checkpoint row yet'
      : `CRIU checkpoint/restore row skipped: ${criu.reason}`,
  );
  step(`${voidedByNetworkChange} measurements taken again after Chromium saw the network change`);
  const git = (args: string[]) => spawnSync('git', args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cores: availableParallelism(), loadAverageAtStart, node: process.version },
    source: {
      commit: git(['rev-parse', 'HEAD']),
      hasUncommittedChanges: git(['status', '--porcelain']) !== '',
    },
    settings: {
      runs,
      browserRuns,
      apps,
      depths,
      metrics,
      runtimeImage: process.env.COVE_RUNTIME_IMAGE ?? null,
    },
    criu,
    voidedByNetworkChange,
    rows,
    goals,
    measurements,
  };
  mkdirSync(resultsDirectory, { recursive: true });
  const file = `${resultsDirectory}wake-${startedAt.toISOString().replaceAll(':', '-').replace('.', '-')}${isQuick ? '-quick' : ''}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  step(`results written to ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `wake bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
