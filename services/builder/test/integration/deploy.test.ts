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
  readLiveBuildLog,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;

let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, git } = world);
});

afterAll(() => stopBuilderWorld(world));

const appSource = (text: string) => `import streamlit as st\n\nst.title(${JSON.stringify(text)})\n`;

test('deploys a commit, then redeploys the next one with the old version serving until the new is healthy', async () => {
  const firstSha = await git.createRepo('hello', { 'app.py': appSource('Version one') });
  const app = await insertApp(context, { name: 'hello', repoUrl: git.repoUrl('hello') });
  const queues = openJobQueues(context.redis, context.instance);

  const firstId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId: firstId });
  const first = await waitForFinished(context, firstId);
  expect(first.errorMessage).toBeNull();
  expect(first.status).toBe('running');
  expect(first.commitSha).toBe(firstSha);
  expect(first.commitAuthor).toBe('Ada Lovelace <ada@example.com>');
  expect(first.hostPort).toEqual(expect.any(Number));
  const firstPort = first.hostPort ?? 0;
  expect(await health(firstPort)).toBe('ok');
  expect(await readRoute(context.redis, context.instance, 'hello')).toEqual({
    appId: app.appId,
    appName: 'hello',
    status: 'running',
    upstream: { host: '127.0.0.1', port: firstPort },
    // One replica (the default), named by its container's short id.
    replicas: [
      { id: first.containerId?.slice(0, 12), host: '127.0.0.1', port: firstPort, node: expect.any(String) },
    ],
  });
  expect((await readApp(context, app.appId)).liveDeploymentId).toBe(firstId);
  const buildLog = await readLiveBuildLog(context, firstId);
  expect(buildLog.some((line) => line.startsWith('Step 1/'))).toBe(true);
  expect(buildLog).toContain('The new version is live.');
  // Where the deploy's seconds went, one line a person (and bench/deploy) reads.
  const timings =
    /^Timings: queue [\d.]+ s, clone [\d.]+ s, build context [\d.]+ s, dependencies [\d.]+ s, image build [\d.]+ s, start to healthy [\d.]+ s, switch and stop the old version [\d.]+ s \(total [\d.]+ s\)$/;
  expect(buildLog.some((line) => timings.test(line))).toBe(true);
  await waitFor(
    async () =>
      (await readLogLines(context.db, firstId, 'runtime')).some((line) =>
        line.line.includes('You can now view your Streamlit app'),
      ),
    { timeoutMs: 15_000, description: "Streamlit's start-up output in the runtime log" },
  );

  const secondSha = await git.commit('hello', { 'app.py': appSource('Version two') }, 'Change the title');
  const secondId = await insertDeployment(context, app, { commitSha: secondSha });
  await queues.enqueueBuild({ deploymentId: secondId });
  // Until the new version is live, the old one keeps answering.
  await waitFor(
    async () => {
      const second = await readDeployment(context, secondId);
      if (second.status === 'running') return second;
      if (second.status === 'failed') throw new Error(`redeploy failed: ${second.errorMessage}`);
      expect(await health(firstPort)).toBe('ok');
      expect((await readApp(context, app.appId)).status).toBe('running');
      return undefined;
    },
    { timeoutMs: 150_000, intervalMs: 200, description: 'the redeploy to go live' },
  );
  const second = await readDeployment(context, secondId);
  expect(second.commitSha).toBe(secondSha);
  expect(await health(second.hostPort ?? 0)).toBe('ok');
  expect((await readRoute(context.redis, context.instance, 'hello'))?.upstream?.port).toBe(second.hostPort);
  expect((await readDeployment(context, firstId)).status).toBe('superseded');
  await waitFor(async () => (await containersOf(context.instance, firstId)).length === 0, {
    timeoutMs: 30_000,
    description: 'the old container to be removed',
  });
  expect(
    (await containersOf(context.instance)).map((container) => container.labels['cove.deployment-id']),
  ).toEqual([secondId]);
  await queues.close();
});
