// The fault suite (`make chaos`; `make test` runs its short form with --short). Against the local
// platform `make up` started: three apps of its own, steady HTTP load and open tabs on each, then
// one fault at a time; after each, the platform must settle and agree with itself. Prints what
// visitors saw and each target's verdict; exits 1 on a miss (in the short form, timing targets are
// printed only). Bounded: every wait has a deadline, and everything goes to 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { startGitServer } from '@cove/shared/testing/git-server';
import { sleep, waitUntil } from '../bench/lib/wait';
import { type ConsistencyChecker, openConsistencyChecker } from './consistency';
import {
  appSource,
  type Fault,
  type FaultContext,
  faults,
  type SuiteApp,
  servingContainerIds,
} from './faults';
import { type ApiClient, apiClient, readLocalPlatform } from './platform';
import { type FaultResult, formatResults, misses, summarizeWindow } from './report';
import { startTraffic, type Traffic } from './traffic';

const isShort = process.argv.includes('--short');
const appCount = 3;

/**
 * Settled: no deployment in progress, every suite app running from one container (a swap's old one
 * drained), every tab connected again, and the last requests answered.
 */
async function settle(context: FaultContext, traffic: Traffic, checker: ConsistencyChecker): Promise<void> {
  await waitUntil(
    async () => {
      if (!traffic.isEveryTabOpen()) return undefined;
      try {
        if ((await checker.unfinishedDeployments()) > 0) return undefined;
        for (const app of context.apps) {
          if ((await context.api.app(app.name)).status !== 'running') return undefined;
          if ((await servingContainerIds(app)).length !== 1) return undefined;
        }
      } catch {
        return undefined; // the dashboard, Postgres or the engine is not back yet
      }
      const recent = traffic.recording.requests.slice(-30);
      return recent.length === 30 && recent.every((sample) => sample.isOk) ? true : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500, description: 'the platform to settle' },
  );
}

/** The checks' findings once they are empty, or as they stand at the deadline. */
async function untilConsistent(checker: ConsistencyChecker, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems = await checker.check();
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(1_000);
  }
}

async function deleteApps(api: ApiClient, apps: readonly SuiteApp[]): Promise<void> {
  // A delete that fails leaves the app behind, which the consistency check after it reports.
  for (const app of apps) await api.call('DELETE', `/apps/${app.name}`).catch(() => undefined);
}

async function createApps(context: Omit<FaultContext, 'apps'>): Promise<SuiteApp[]> {
  const runId = randomBytes(3).toString('hex');
  const apps: SuiteApp[] = [];
  for (let index = 0; index < appCount; index++) {
    const name = `fault-${runId}-${index + 1}`;
    await context.git.createRepo(name, { 'streamlit_app.py': appSource(`${name} version 1`) });
    const created = (await context.api.call('POST', '/apps', {
      json: { name, repoUrl: context.git.repoUrl(name), branch: 'main', mainFile: 'streamlit_app.py' },
    })) as { id: string };
    apps.push({ name, id: created.id, version: 1 });
  }
  await waitUntil(
    async () => {
      const views = await Promise.all(apps.map((app) => context.api.app(app.name)));
      const failed = views.find((view) => view.status === 'failed');
      if (failed) throw new Error(`${failed.name} did not deploy: ${failed.statusMessage}`);
      return views.every((view) => view.status === 'running') ? true : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 500, description: 'the suite apps to run' },
  );
  return apps;
}

async function runFault(
  fault: Fault,
  context: FaultContext,
  traffic: Traffic,
  checker: ConsistencyChecker,
): Promise<FaultResult> {
  process.stdout.write(`${fault.name} ... `);
  const startMs = Date.now();
  let miss: string | null;
  try {
    miss = await fault.inject(context);
    await settle(context, traffic, checker);
  } catch (error) {
    miss = error instanceof Error ? error.message : String(error);
  }
  await sleep(1_000); // a last second of traffic on the settled platform, inside the window
  const endMs = Date.now();
  const problems = await checker.check().catch((error: unknown) => [`the checks failed: ${String(error)}`]);
  const result = {
    name: fault.name,
    summary: summarizeWindow(traffic.recording, { startMs, endMs }),
    targets: fault.targets,
    outcome: { miss, problems },
  };
  process.stdout.write(`${((endMs - startMs) / 1000).toFixed(1)} s\n`);
  return result;
}

async function main(): Promise<number> {
  const platform = readLocalPlatform();
  const api = apiClient(platform);
  const git = await startGitServer();
  const checker = openConsistencyChecker(platform);
  let apps: SuiteApp[] = [];
  try {
    const before = await untilConsistent(checker, 60_000);
    if (before.length > 0) {
      console.error(`The platform disagrees with itself before any fault:\n  ${before.join('\n  ')}`);
      return 1;
    }
    apps = await createApps({ platform, api, git });
    const context: FaultContext = { platform, api, git, apps };
    const traffic = startTraffic(
      platform,
      apps.map((app) => app.name),
      { loopsPerApp: 2, tabsPerApp: 2 },
    );
    const results: FaultResult[] = [];
    try {
      await settle(context, traffic, checker);
      for (const fault of faults.filter((each) => !isShort || each.isShort)) {
        results.push(await runFault(fault, context, traffic, checker));
      }
    } finally {
      await traffic.stop();
    }
    console.log(`\nFault suite (${isShort ? 'short' : 'full'}), ${apps.length} apps under load:\n`);
    console.log(formatResults(results));
    const failing = results.filter((result) => misses(result, { isTimingJudged: !isShort }).length > 0);
    // Deleting the suite's apps must leave nothing of them behind either.
    await deleteApps(api, apps);
    apps = [];
    const after = await untilConsistent(checker, 120_000);
    if (after.length > 0) console.error(`\nAfter deleting the suite's apps:\n  ${after.join('\n  ')}`);
    return failing.length === 0 && after.length === 0 ? 0 : 1;
  } finally {
    await deleteApps(api, apps);
    await checker.close();
    await git.close();
  }
}

process.exitCode = await main();
