// The builder is killed (SIGKILL) in the middle of two deployments: one still cloning, one whose
// container is starting. A fresh builder's reconciler must fail both and leave no container behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningBuilder } from '../../src/builder';
import { builderStoppedMessage } from '../../src/reconciler/decide';
import {
  cleanUpMachine,
  containersOf,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  startTestBuilder,
  waitForFinished,
} from './fixture';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

let context: TestContext;
let git: GitServer;
let hangingGitServer: Server;
let child: ChildProcess | undefined;
let builder: RunningBuilder | undefined;

beforeAll(async () => {
  // Slow builds on purpose: a long health timeout keeps a deploy in 'deploying'.
  context = await createTestContext({
    COVE_HEALTH_TIMEOUT_SECONDS: '300',
    COVE_CLONE_TIMEOUT_SECONDS: '300',
  });
  git = await startGitServer();
  // A git host that accepts the request and never answers keeps a clone (and its build) going.
  hangingGitServer = createServer(() => {});
  await new Promise<void>((resolve) => hangingGitServer.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await builder?.stop();
  await cleanUpMachine(context);
  hangingGitServer.closeAllConnections();
  await new Promise((resolve) => hangingGitServer.close(resolve));
  await git?.close();
  await context?.close();
});

function startBuilderProcess(): ChildProcess {
  const processEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...context.env };
  const started = spawn(process.execPath, ['--import', 'tsx', 'services/builder/src/main.ts'], {
    cwd: repositoryRoot,
    env: processEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return started;
}

test('a builder killed mid-build leaves nothing stuck and no container behind', async () => {
  const { port } = hangingGitServer.address() as AddressInfo;
  const cloning = await insertApp(context, { name: 'cloning', repoUrl: `http://127.0.0.1:${port}/slow.git` });
  await git.createRepo('starting', {
    'app.py': 'import streamlit as st\n',
    // Shadows the library so the server never answers its health check.
    'streamlit.py': 'import time\nprint("warming up", flush=True)\ntime.sleep(3600)\n',
  });
  const starting = await insertApp(context, { name: 'starting', repoUrl: git.repoUrl('starting') });
  const cloningId = await insertDeployment(context, cloning);
  const startingId = await insertDeployment(context, starting);
  const queues = openJobQueues(context.redis, context.instance);
  await queues.enqueueBuild({ deploymentId: cloningId });
  await queues.enqueueBuild({ deploymentId: startingId });
  await queues.close();

  child = startBuilderProcess();
  await waitFor(
    async () =>
      (await readDeployment(context, cloningId)).status === 'building' &&
      (await readDeployment(context, startingId)).status === 'deploying' &&
      (await containersOf(context.instance, startingId)).length === 1,
    { timeoutMs: 120_000, intervalMs: 200, description: 'one build cloning and one container starting' },
  );
  const exited = new Promise((resolve) => child?.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  child = undefined;

  builder = await startTestBuilder(context);
  for (const deploymentId of [cloningId, startingId]) {
    const deployment = await waitForFinished(context, deploymentId, 60_000);
    expect(deployment.status).toBe('failed');
    expect(deployment.errorMessage).toBe(builderStoppedMessage);
  }
  await waitFor(async () => (await containersOf(context.instance)).length === 0, {
    timeoutMs: 30_000,
    description: 'the starting container to be removed',
  });
  for (const app of [cloning, starting]) {
    const row = await readApp(context, app.appId);
    expect(row.status).toBe('failed');
    expect(row.statusMessage).toBe(builderStoppedMessage);
  }
});
