// A build that runs past COVE_BUILD_TIMEOUT_SECONDS is stopped and says so; it is not retried.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningBuilder } from '../../src/builder';
import {
  cleanUpMachine,
  insertApp,
  insertDeployment,
  readApp,
  startTestBuilder,
  waitForFinished,
} from './fixture';

let context: TestContext;
let builder: RunningBuilder;
let hangingGitServer: Server;

beforeAll(async () => {
  context = await createTestContext({ COVE_BUILD_TIMEOUT_SECONDS: '2', COVE_CLONE_TIMEOUT_SECONDS: '300' });
  builder = await startTestBuilder(context);
  hangingGitServer = createServer(() => {});
  await new Promise<void>((resolve) => hangingGitServer.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await builder?.stop();
  await cleanUpMachine(context);
  hangingGitServer?.closeAllConnections();
  await new Promise((resolve) => hangingGitServer?.close(resolve));
  await context?.close();
});

test('a build past its time limit is stopped with a plain message and not retried', async () => {
  const { port } = hangingGitServer.address() as AddressInfo;
  const app = await insertApp(context, { name: 'slow', repoUrl: `http://127.0.0.1:${port}/slow.git` });
  const deploymentId = await insertDeployment(context, app);
  const queues = openJobQueues(context.redis, context.instance);
  await queues.enqueueBuild({ deploymentId });
  await queues.close();

  const message = 'The build took longer than 2 seconds and was stopped.';
  const deployment = await waitForFinished(context, deploymentId, 60_000);
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(message);
  const log = (await readLogLines(context.db, deploymentId, 'build')).map((line) => line.line);
  expect(log).toContain(`Error: ${message}`);
  expect(log).not.toContain('Cove will try again shortly.');
  const appRow = await readApp(context, app.appId);
  expect(appRow.status).toBe('failed');
  expect(appRow.statusMessage).toBe(message);
});
