// Streamlit's /_stcore/health answers ok even when the script raises on its first run; the deploy
// health check also runs the script once (/_stcore/script-health-check), so such a deploy fails
// with the traceback and a running app keeps its old version.
import { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { readRoute } from '@cove/shared/routing/route-table';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type BuilderWorld,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;
let queues: ReturnType<typeof openJobQueues>;
let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld({ COVE_HEALTH_TIMEOUT_SECONDS: '60' });
  ({ context, git } = world);
  queues = openJobQueues(context.redis, context.instance);
});

afterAll(async () => {
  await queues?.close();
  await stopBuilderWorld(world);
});

const raising =
  'import streamlit as st\n\nst.title("Sales")\n\ndef load():\n    raise FileNotFoundError("data/sales.csv is not in the repository")\n\nload()\n';

test('a first deploy of a script that raises on its first run fails with the traceback, in plain words first', async () => {
  await git.createRepo('raises', { 'app.py': raising });
  const app = await insertApp(context, { name: 'raises', repoUrl: git.repoUrl('raises') });
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployment = await waitForFinished(context, deploymentId);
  expect(deployment.status).toBe('failed');
  const message = deployment.errorMessage ?? '';
  expect(message).toMatch(
    /^Your script raised an error on its first run: FileNotFoundError: data\/sales.csv is not in the repository\. Streamlit printed:\n/,
  );
  expect(message).toContain('Traceback (most recent call last):');
  expect(message).toMatch(/File "\/app\/app.py", line 8, in <module>\n\s+load\(\)/);
  const appRow = await readApp(context, app.appId);
  expect(appRow.status).toBe('failed');
  expect(appRow.statusMessage).toBe(message);
  expect(appRow.liveDeploymentId).toBeNull();
  const buildLog = (await readLogLines(context.db, deploymentId, 'build')).map((line) => line.line);
  expect(buildLog).toContain(`Error: ${message}`);
  expect(await containersOf(context.instance, deploymentId)).toEqual([]);
});

test('a slow first run that waits on a widget and calls st.stop() is live; a redeploy to a raising commit keeps it serving', async () => {
  // Two seconds of loading, then a widget with no input yet and st.stop(): the raise after it is
  // never reached on a first run, so the app is healthy.
  const waiting =
    'import time\nimport streamlit as st\n\ntime.sleep(2)\nname = st.text_input("Your name")\nif not name:\n    st.stop()\nraise RuntimeError("unreachable on a first run")\n';
  await git.createRepo('stops', { 'app.py': waiting });
  const app = await insertApp(context, { name: 'stops', repoUrl: git.repoUrl('stops') });
  const firstId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId: firstId });
  const first = await waitForFinished(context, firstId);
  expect(first.errorMessage).toBeNull();
  expect(first.status).toBe('running');
  const firstPort = first.hostPort ?? 0;
  expect(await health(firstPort)).toBe('ok');

  const badSha = await git.commit('stops', { 'app.py': raising }, 'Load the sales data');
  const badId = await insertDeployment(context, app, { commitSha: badSha });
  await queues.enqueueBuild({ deploymentId: badId });
  let answered = 0;
  const failed = await waitFor(
    async () => {
      const bad = await readDeployment(context, badId);
      if (bad.status === 'failed') return bad;
      if (bad.status === 'running') throw new Error('the raising commit went live');
      // Every request while the broken version builds and is checked is answered by the old one.
      expect(await health(firstPort)).toBe('ok');
      answered += 1;
      return undefined;
    },
    { timeoutMs: 150_000, intervalMs: 200, description: 'the redeploy to fail' },
  );
  expect(answered).toBeGreaterThan(0);
  expect(failed.errorMessage).toMatch(
    /^Your script raised an error on its first run: FileNotFoundError: data\/sales.csv is not in the repository\./,
  );
  expect(await health(firstPort)).toBe('ok');
  const appRow = await readApp(context, app.appId);
  expect(appRow.liveDeploymentId).toBe(firstId);
  expect(appRow.status).toBe('running');
  expect((await readDeployment(context, firstId)).status).toBe('running');
  expect((await readRoute(context.redis, context.instance, 'stops'))?.upstream?.port).toBe(firstPort);
  expect(await containersOf(context.instance, badId)).toEqual([]);
});
