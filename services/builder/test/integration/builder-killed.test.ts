// The builder is killed (SIGKILL) in the middle of deployments: one still cloning, one whose
// container is starting beside a live version. Once a builder is back, both are built again and go
// live by themselves, the live version serving meanwhile; a build the builder stops every time fails
// after the bound, saying so.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schema } from '@cove/shared/db/client';
import type { AppStatus } from '@cove/shared/db/schema/apps';
import { type JobQueues, openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import type { RunningBuilder } from '../../src/builder';
import {
  interruptionLimitMessage,
  maxBuildInterruptions,
  rebuildingMessage,
} from '../../src/builds/interruptions';
import {
  type AppFixture,
  cleanUpMachine,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  startTestBuilder,
  waitForFinished,
} from './fixture';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

let context: TestContext;
let queues: JobQueues;
let git: GitServer;
/** Forwards to the git server, or holds every request unanswered (a clone that hangs) while set. */
let isGitHeld = true;
let gitGate: Server;
let child: ChildProcess | undefined;
let builder: RunningBuilder | undefined;

beforeAll(async () => {
  // A long health timeout lets an app that starts slowly stay in 'deploying'.
  context = await createTestContext({
    COVE_HEALTH_TIMEOUT_SECONDS: '300',
    COVE_CLONE_TIMEOUT_SECONDS: '300',
  });
  queues = openJobQueues(context.redis, context.instance);
  git = await startGitServer();
  gitGate = createServer((request, response) => {
    if (isGitHeld) return;
    const forwarded = httpRequest(
      `${git.baseUrl}${request.url ?? '/'}`,
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => gitGate.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await stopBuilder();
  await queues?.close();
  await cleanUpMachine(context);
  gitGate?.closeAllConnections();
  await new Promise((resolve) => gitGate?.close(resolve));
  await git?.close();
  await context?.close();
});

/** Each test restarts the builder its own way: none outlives it. */
async function stopBuilder(): Promise<void> {
  child?.kill('SIGKILL');
  child = undefined;
  await builder?.stop();
  builder = undefined;
}

function gatedRepoUrl(name: string): string {
  const { port } = gitGate.address() as AddressInfo;
  return `http://127.0.0.1:${port}/${name}.git`;
}

function startBuilderProcess(): ChildProcess {
  const processEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...context.env };
  return spawn(process.execPath, ['--import', 'tsx', 'services/builder/src/main.ts'], {
    cwd: repositoryRoot,
    env: processEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function killBuilderProcess(): Promise<void> {
  const killed = child;
  if (!killed) throw new Error('no builder process to kill');
  const exited = new Promise((resolve) => killed.once('exit', resolve));
  killed.kill('SIGKILL');
  await exited;
  child = undefined;
}

async function deploymentsOf(app: AppFixture) {
  return context.db.select().from(schema.deployments).where(eq(schema.deployments.appId, app.appId));
}

/** Waits for the deployment to finish, noting every status its app showed meanwhile. */
async function waitForEnd(app: AppFixture, deploymentId: string) {
  const appStatusesSeen = new Set<AppStatus>();
  const deployment = await waitFor(
    async () => {
      appStatusesSeen.add((await readApp(context, app.appId)).status);
      const row = await readDeployment(context, deploymentId);
      return ['running', 'failed', 'superseded', 'cancelled'].includes(row.status) ? row : undefined;
    },
    { timeoutMs: 150_000, intervalMs: 200, description: `deployment ${deploymentId} to finish` },
  );
  return { deployment, appStatusesSeen };
}

async function buildLogOf(deploymentId: string): Promise<string[]> {
  return (await readLogLines(context.db, deploymentId, 'build')).map((line) => line.line);
}

test('builds killed mid-clone and mid-deploy are built again and go live by themselves; the live version serves meanwhile', async () => {
  onTestFinished(stopBuilder);
  isGitHeld = true;
  await git.createRepo('cloning', { 'app.py': 'import streamlit as st\n\nst.title("Cloned at last")\n' });
  const cloning = await insertApp(context, { name: 'cloning', repoUrl: gatedRepoUrl('cloning') });
  await git.createRepo('starting', { 'app.py': 'import streamlit as st\n\nst.title("Version one")\n' });
  const starting = await insertApp(context, { name: 'starting', repoUrl: git.repoUrl('starting') });

  child = startBuilderProcess();
  const firstId = await insertDeployment(context, starting);
  await queues.enqueueBuild({ deploymentId: firstId });
  const first = await waitForFinished(context, firstId);
  expect(first.status).toBe('running');

  const secondSha = await git.commit(
    'starting',
    {
      // Shadows the library: Streamlit starts 20 s late, so the builder waits for its health check.
      'streamlit.py': [
        'import os, runpy, sys, time',
        'print("warming up", flush=True)',
        'time.sleep(20)',
        'sys.path = [entry for entry in sys.path if os.path.realpath(entry or ".") != "/app"]',
        'runpy.run_module("streamlit", run_name="__main__", alter_sys=True)',
        '',
      ].join('\n'),
    },
    'Start slowly',
  );
  const secondId = await insertDeployment(context, starting, { commitSha: secondSha });
  const cloningId = await insertDeployment(context, cloning);
  await queues.enqueueBuild({ deploymentId: secondId });
  await queues.enqueueBuild({ deploymentId: cloningId });
  const [killedContainer] = await waitFor(
    async () => {
      const isCloning = (await readDeployment(context, cloningId)).status === 'building';
      const isStarting = (await readDeployment(context, secondId)).status === 'deploying';
      const containers = await containersOf(context.instance, secondId);
      return isCloning && isStarting && containers.length === 1 && containers;
    },
    { timeoutMs: 120_000, intervalMs: 200, description: 'one build cloning and one container starting' },
  );
  await killBuilderProcess();

  // The builder is back (supervisord restarts it); the git host answers again.
  isGitHeld = false;
  builder = await startTestBuilder(context);
  await waitFor(
    async () => {
      const second = await readDeployment(context, secondId);
      return second.interruptionCount === 1 && ['queued', 'building', 'deploying'].includes(second.status);
    },
    { timeoutMs: 60_000, intervalMs: 200, description: 'the interrupted deploy to be built again' },
  );
  // Taken back: meanwhile the first version serves, and the app says so.
  expect(await health(first.hostPort ?? 0)).toBe('ok');
  expect((await readApp(context, starting.appId)).status).toBe('running');
  await waitFor(
    async () =>
      !(await containersOf(context.instance)).some((container) => container.id === killedContainer?.id),
    { timeoutMs: 30_000, description: 'the container of the killed deploy to be removed' },
  );

  const expectations: [AppFixture, string, AppStatus[]][] = [
    [starting, secondId, ['running']],
    [cloning, cloningId, ['building', 'deploying', 'running']],
  ];
  for (const [app, deploymentId, statusesMeanwhile] of expectations) {
    const { deployment, appStatusesSeen } = await waitForEnd(app, deploymentId);
    expect([...appStatusesSeen].filter((status) => !statusesMeanwhile.includes(status))).toEqual([]);
    expect(deployment.errorMessage).toBeNull();
    expect(deployment.status).toBe('running');
    expect(deployment.interruptionCount).toBe(1);
    expect(await health(deployment.hostPort ?? 0)).toBe('ok');
    const row = await readApp(context, app.appId);
    expect(row.status).toBe('running');
    expect(row.liveDeploymentId).toBe(deploymentId);
    expect(await buildLogOf(deploymentId)).toContain(rebuildingMessage);
  }
  // Nobody redeployed: the interrupted rows themselves went live.
  expect((await deploymentsOf(starting)).length).toBe(2);
  expect((await deploymentsOf(cloning)).length).toBe(1);
  expect((await readDeployment(context, firstId)).status).toBe('superseded');
});

test(`a build whose builder stops ${maxBuildInterruptions} times fails, saying why, and leaves no container`, async () => {
  onTestFinished(stopBuilder);
  isGitHeld = true;
  await git.createRepo('doomed', { 'app.py': 'import streamlit as st\n' });
  const doomed = await insertApp(context, { name: 'doomed', repoUrl: gatedRepoUrl('doomed') });
  const deploymentId = await insertDeployment(context, doomed);
  await queues.enqueueBuild({ deploymentId });

  // Each builder gets as far as the clone, then is killed.
  for (let interruptions = 0; interruptions < maxBuildInterruptions; interruptions++) {
    child = startBuilderProcess();
    await waitFor(
      async () => {
        const deployment = await readDeployment(context, deploymentId);
        return deployment.status === 'building' && deployment.interruptionCount === interruptions;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 200,
        description: `the build to start (${interruptions} interruptions)`,
      },
    );
    await killBuilderProcess();
  }

  builder = await startTestBuilder(context);
  const deployment = await waitForFinished(context, deploymentId, 60_000);
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(interruptionLimitMessage);
  expect(deployment.interruptionCount).toBe(maxBuildInterruptions);
  const app = await readApp(context, doomed.appId);
  expect(app.status).toBe('failed');
  expect(app.statusMessage).toBe(interruptionLimitMessage);
  expect(await buildLogOf(deploymentId)).toContain(`Error: ${interruptionLimitMessage}`);
  expect(await containersOf(context.instance, deploymentId)).toEqual([]);
});
