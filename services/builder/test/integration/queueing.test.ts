// One app, one build at a time: two pushes in quick succession build only the newest, and a running
// build can be cancelled (through the shared domain function the API calls) with the live version
// serving on. An image build aborted through its signal stops and leaves no container behind.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cancelDeployment } from '@cove/shared/apps/service';
import { schema } from '@cove/shared/db/client';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { readRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningBuilder } from '../../src/builder';
import { imageTag } from '../../src/deploy/container';
import {
  builderConfig,
  cleanUpMachine,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  runtime,
  startTestBuilder,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;
let builder: RunningBuilder;
let hangingGitServer: Server;

beforeAll(async () => {
  context = await createTestContext({ COVE_CLONE_TIMEOUT_SECONDS: '300' });
  git = await startGitServer();
  builder = await startTestBuilder(context);
  // A git host that accepts the request and never answers keeps a build in its clone.
  hangingGitServer = createServer(() => {});
  await new Promise<void>((resolve) => hangingGitServer.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await builder?.stop();
  await cleanUpMachine(context);
  hangingGitServer?.closeAllConnections();
  await new Promise((resolve) => hangingGitServer?.close(resolve));
  await git?.close();
  await context?.close();
});

const appSource = (text: string) => `import streamlit as st\n\nst.title(${JSON.stringify(text)})\n`;

async function buildLog(deploymentId: string): Promise<string[]> {
  return (await readLogLines(context.db, deploymentId, 'build')).map((line) => line.line);
}

test('two pushes in quick succession build only the newest; a running build is cancelled or superseded with the old version serving', async () => {
  const queues = openJobQueues(context.redis, context.instance);
  const app = await insertApp(context, { name: 'queued', repoUrl: git.repoUrl('queued') });
  const olderSha = await git.createRepo('queued', { 'app.py': appSource('Older') });
  const newerSha = await git.commit('queued', { 'app.py': appSource('Newer') }, 'Newer title');
  const olderId = await insertDeployment(context, app, { commitSha: olderSha });
  const newerId = await insertDeployment(context, app, { commitSha: newerSha });
  await queues.enqueueBuild({ deploymentId: olderId });
  await queues.enqueueBuild({ deploymentId: newerId });

  const newer = await waitForFinished(context, newerId);
  expect(newer.errorMessage).toBeNull();
  expect(newer.status).toBe('running');
  const older = await waitForFinished(context, olderId);
  expect(older.status).toBe('superseded');
  expect(older.errorMessage).toBe(
    `A newer push (${newerSha.slice(0, 7)}) replaced this one before it was built.`,
  );
  expect((await buildLog(olderId)).some((line) => /^Step \d+\//.test(line))).toBe(false);
  expect(await runtime.imageId(imageTag(context.instance, app.appId, olderSha))).toBeNull();

  // A build stuck cloning is cancelled; the newer version keeps serving.
  const { port } = hangingGitServer.address() as AddressInfo;
  await context.db
    .update(schema.apps)
    .set({ repoUrl: `http://127.0.0.1:${port}/queued.git` })
    .where(eq(schema.apps.id, app.appId));
  const stuckId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId: stuckId });
  await waitFor(async () => (await readDeployment(context, stuckId)).status === 'building', {
    timeoutMs: 30_000,
    description: 'the build to start cloning',
  });
  const deps = { db: context.db, redis: context.redis, queues, config: builderConfig(context) };
  const cancelled = await cancelDeployment(deps, app.workspaceId, app.name, stuckId);
  expect(cancelled.status).toBe('cancelled');
  await waitFor(
    async () => (await buildLog(stuckId)).includes('The build was stopped: this deployment was cancelled.'),
    { timeoutMs: 15_000, description: 'the builder to stop the cancelled build' },
  );
  expect((await readDeployment(context, stuckId)).status).toBe('cancelled');
  expect(await containersOf(context.instance, stuckId)).toHaveLength(0);
  const appRow = await readApp(context, app.appId);
  expect(appRow.liveDeploymentId).toBe(newerId);
  expect(appRow.status).toBe('running');
  expect(await health(newer.hostPort ?? 0)).toBe('ok');
  expect((await readRoute(context.redis, context.instance, app.name))?.upstream?.port).toBe(newer.hostPort);
  await expect(cancelDeployment(deps, app.workspaceId, app.name, stuckId)).rejects.toThrow(
    'This deployment is cancelled, not building: there is nothing to cancel.',
  );

  // A build stuck cloning is stopped by a newer push, which then builds and goes live.
  const supersededId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId: supersededId });
  await waitFor(async () => (await readDeployment(context, supersededId)).status === 'building', {
    timeoutMs: 30_000,
    description: 'the second stuck build to start cloning',
  });
  await context.db
    .update(schema.apps)
    .set({ repoUrl: git.repoUrl('queued') })
    .where(eq(schema.apps.id, app.appId));
  const latestSha = await git.commit('queued', { 'app.py': appSource('Latest') }, 'Latest title');
  const latestId = await insertDeployment(context, app, { commitSha: latestSha });
  await queues.enqueueBuild({ deploymentId: latestId });
  const superseded = await waitForFinished(context, supersededId, 30_000);
  expect(superseded.status).toBe('superseded');
  expect(superseded.errorMessage).toBe(
    `A newer push (${latestSha.slice(0, 7)}) replaced this one while it was being built; its build was stopped.`,
  );
  const latest = await waitForFinished(context, latestId);
  expect(latest.errorMessage).toBeNull();
  expect(latest.status).toBe('running');
  expect(await containersOf(context.instance, supersededId)).toHaveLength(0);
  await queues.close();
});

test('an image build aborted through its signal stops and leaves no container behind', async () => {
  const marker = `cove-abort-${crypto.randomUUID()}`;
  const contextDir = await mkdtemp(path.join(tmpdir(), 'cove-abort-'));
  const runtimeImage = builderConfig(context).COVE_RUNTIME_IMAGE;
  await writeFile(
    path.join(contextDir, 'Dockerfile'),
    `FROM ${runtimeImage}\nRUN echo ${marker} && sleep 600\n`,
  );
  const controller = new AbortController();
  const lines: string[] = [];
  const building = runtime.buildImage({
    contextDir,
    dockerfile: 'Dockerfile',
    excludedPaths: [],
    tag: `cove-${context.instance}/abort:test`,
    labels: { 'cove.instance': context.instance },
    onLine: (line) => {
      lines.push(line);
      if (line.includes(marker) && !line.includes('RUN')) controller.abort();
    },
    signal: controller.signal,
  });
  await expect(building).rejects.toThrow();
  expect(lines.some((line) => /^Step 2\/\d+ : RUN/.test(line))).toBe(true);
  const containersWithMarker = async () => {
    const { stdout } = await promisify(execFile)('docker', [
      'ps',
      '-a',
      '--no-trunc',
      '--format',
      '{{.Command}}',
    ]);
    return stdout.split('\n').filter((command) => command.includes(marker));
  };
  await waitFor(async () => (await containersWithMarker()).length === 0, {
    timeoutMs: 30_000,
    description: "the aborted build's container to be removed",
  });
  expect(await runtime.imageId(`cove-${context.instance}/abort:test`)).toBeNull();
  await rm(contextDir, { recursive: true, force: true });
});
