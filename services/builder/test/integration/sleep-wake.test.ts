// Sleep and wake end to end with a real engine: the builder (sleep pass, wake job) and the proxy
// (activity, wake requests, waking page) on the same Redis, tiny idle thresholds from config.
// Container starts and unpauses are counted from Docker's own event log, not from our code.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import { createLogger } from '@cove/shared/logs/logger';
import { readRoute } from '@cove/shared/routing/route-table';
import { activityKey } from '@cove/shared/sleep/activity';
import { sleepMessages } from '@cove/shared/sleep/wake-state';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningProxy, startProxy } from '../../../proxy/src/proxy';
import {
  browserAccept,
  closeEvent,
  openWebSocket,
  send,
  waitForOpen,
} from '../../../proxy/test/integration/client';
import type { RunningBuilder } from '../../src/builder';
import {
  type AppFixture,
  cleanUpMachine,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  runtime,
  startTestBuilder,
  waitForFinished,
} from './fixture';

const run = promisify(execFile);
const freezeAfterSeconds = 3;
const stopAfterSeconds = 9;
let context: TestContext;
let git: GitServer;
let builder: RunningBuilder;
let proxy: RunningProxy;
let operations: Queue;
let operationEvents: QueueEvents;
let app: AppFixture;
let deploymentId: string;

beforeAll(async () => {
  context = await createTestContext({
    COVE_FREEZE_AFTER_SECONDS: String(freezeAfterSeconds),
    COVE_STOP_AFTER_SECONDS: String(stopAfterSeconds),
    COVE_ACTIVITY_FLUSH_MS: '200',
    COVE_WAKE_WAIT_SECONDS: '60',
  });
  git = await startGitServer();
  builder = await startTestBuilder(context);
  const proxyConfig = parseConfig(proxyConfigSchema, { ...context.env, COVE_PROXY_PORT: '0' });
  proxy = await startProxy(proxyConfig, createLogger('proxy-test', context.env.COVE_LOG_LEVEL ?? 'warn'));
  const connection = { connection: context.redis, prefix: queuePrefix(context.instance) };
  operations = new Queue(jobs.appOperation.queue, connection);
  operationEvents = new QueueEvents(jobs.appOperation.queue, {
    connection: context.redis.duplicate(),
    prefix: queuePrefix(context.instance),
  });
  await operationEvents.waitUntilReady();

  await git.createRepo('nap', { 'app.py': 'import streamlit as st\n\nst.title("Napping")\n' });
  app = await insertApp(context, { name: 'nap', repoUrl: git.repoUrl('nap') });
  deploymentId = await insertDeployment(context, app);
  await new Queue(jobs.build.queue, connection).add(
    jobs.build.name,
    { deploymentId },
    { ...jobs.build.options, jobId: jobs.build.jobId({ deploymentId }) },
  );
  const deployed = await waitForFinished(context, deploymentId);
  if (deployed.status !== 'running') throw new Error(`the deploy failed: ${deployed.errorMessage}`);
});

afterAll(async () => {
  await proxy?.stop();
  await builder?.stop();
  await operations?.close();
  await operationEvents?.close();
  await cleanUpMachine(context);
  await git?.close();
  await context?.close();
});

const host = 'nap.localhost';

async function liveContainer() {
  const { containerId } = await readDeployment(context, deploymentId);
  const container = containerId ? await runtime.inspect(containerId) : null;
  if (!container) throw new Error('the live container is gone');
  return container;
}

function waitForSleep(depth: 'frozen' | 'stopped') {
  const containerState = depth === 'frozen' ? 'paused' : 'exited';
  return waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      const container = await liveContainer();
      return row.status === 'sleeping' && row.statusMessage === sleepMessages[depth]
        ? container.state === containerState
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: `the app to be ${depth}` },
  );
}

/** Runs one reconcile pass (which includes the sleep pass) and waits for it to end. */
async function reconcilePass(): Promise<void> {
  const job = await operations.add(jobs.appOperation.name, { appId: app.appId, operation: 'reconcile' });
  await job.waitUntilFinished(operationEvents, 30_000);
}

/** Docker's own record of the live container's starts and unpauses since a Unix time. */
/** Docker's start/unpause events of this instance since a Unix time in seconds (fractional: events
 * of the previous test can fall in the same second). */
async function engineEvents(sinceSeconds: number): Promise<string[]> {
  const { stdout } = await run('docker', [
    'events',
    '--since',
    sinceSeconds.toFixed(3),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    `label=cove.instance=${context.instance}`,
    '--filter',
    'event=start',
    '--filter',
    'event=unpause',
    '--format',
    '{{.Action}}',
  ]);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

test('an open WebSocket keeps the app awake; once the tab closes, it is frozen, then stopped', async () => {
  const socket = openWebSocket(proxy.port, host);
  await waitForOpen(socket);
  const openedAtMs = Date.now();
  // Well past the freeze threshold since the socket opened, the proxy still records the app as used...
  await waitFor(
    async () =>
      Number(await context.redis.zscore(activityKey(context.instance), app.appId)) >
      openedAtMs + (freezeAfterSeconds + 1) * 1000,
    { timeoutMs: 30_000, intervalMs: 200, description: 'activity past the freeze threshold' },
  );
  // ...so a full pass then leaves it running.
  await reconcilePass();
  expect((await readApp(context, app.appId)).status).toBe('running');
  expect((await liveContainer()).state).toBe('running');

  const closed = closeEvent(socket);
  socket.close();
  await closed;
  await waitForSleep('frozen');
  expect(await readRoute(context.redis, context.instance, 'nap')).toEqual({
    appId: app.appId,
    appName: 'nap',
    status: 'sleeping',
  });
  await waitForSleep('stopped');
});

test('20 concurrent plain HTTP requests to a stopped app share one start and all get the app', async () => {
  expect((await liveContainer()).state).toBe('exited');
  const sinceSeconds = Date.now() / 1000;
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => send(proxy.port, host, '/_stcore/health', { accept: '*/*' })),
  );
  expect(responses.map((response) => [response.status, response.body])).toEqual(
    Array.from({ length: 20 }, () => [200, 'ok']),
  );
  expect(await engineEvents(sinceSeconds)).toEqual(['start']);
  const woken = await readApp(context, app.appId);
  expect(woken.status).toBe('running');
  const { hostPort } = await readDeployment(context, deploymentId);
  expect((await readRoute(context.redis, context.instance, 'nap'))?.upstream).toEqual({
    host: '127.0.0.1',
    port: hostPort,
  });
});

test('a frozen app wakes by unpausing: a browser gets the app itself, no waking page', async () => {
  await waitForSleep('frozen');
  const sinceSeconds = Date.now() / 1000;
  // The proxy holds a browser's request a moment for a quick wake; an unpause is well within it.
  const page = await send(proxy.port, host, '/', { accept: browserAccept });
  expect(page.status).toBe(200);
  expect(page.body).toContain('<title>Streamlit</title>');
  expect(page.body).not.toContain('nap is waking up');
  expect(await engineEvents(sinceSeconds)).toEqual(['unpause']);
  expect((await readApp(context, app.appId)).status).toBe('running');
});
