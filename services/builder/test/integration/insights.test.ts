// A real app's CPU and memory as the builder samples them from the engine: an app holding 48 MB
// shows it under its limit, and a child process killed for memory is marked on the chart's data,
// read through the API's domain function (scoped to the app's workspace).

import { randomUUID } from 'node:crypto';
import { schema } from '@cove/shared/db/client';
import { getAppMetrics } from '@cove/shared/insights/service';
import type { openJobQueues } from '@cove/shared/jobs/queues';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type BuilderWorld,
  builderConfig,
  insertApp,
  insertDeployment,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;
let queues: ReturnType<typeof openJobQueues>;
let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld({ COVE_METRICS_SAMPLE_SECONDS: '1' });
  ({ context, git, queues } = world);
});

afterAll(() => stopBuilderWorld(world));

test("an app's memory and CPU are sampled under its limit, and an out-of-memory kill is marked", async () => {
  await git.createRepo('holder', {
    'app.py': [
      'import subprocess, sys',
      'import streamlit as st',
      '',
      '@st.cache_resource',
      'def held():',
      '    return b"x" * (48 * 1024 * 1024)',
      '',
      "# Run once by the deploy's script health check: the memory is held and the child started.",
      'held()',
      'if "child" not in st.session_state:',
      '    hog = "chunks = []\\nwhile True:\\n    chunks.append(b\\"x\\" * (8 * 1024 * 1024))\\n"',
      '    st.session_state.child = subprocess.Popen([sys.executable, "-c", hog])',
      'st.write("holding")',
      '',
    ].join('\n'),
  });
  const app = await insertApp(context, { name: 'holder', repoUrl: git.repoUrl('holder') });
  await context.db.update(schema.apps).set({ memoryMb: 256 }).where(eq(schema.apps.id, app.appId));
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  expect((await waitForFinished(context, deploymentId)).status).toBe('running');

  const config = builderConfig(context);
  const deps = { db: context.db, config };
  const metrics = await waitFor(
    async () => {
      const read = await getAppMetrics(deps, app.workspaceId, 'holder', { hours: 1 });
      const holding = read.samples.some((sample) => sample.memoryBytes > 48 * 1024 * 1024);
      return holding && read.oomKills.length > 0 ? read : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, description: 'samples of the held memory and the kill' },
  );
  expect(metrics.memoryLimitBytes).toBe(256 * 1024 * 1024);
  expect(metrics.cpuLimitCores).toBe(config.COVE_APP_CPUS);
  for (const sample of metrics.samples) {
    expect(sample.memoryBytes).toBeLessThanOrEqual(256 * 1024 * 1024);
    expect(sample.cpuCores).toBeGreaterThanOrEqual(0);
  }
  expect(metrics.oomKills[0]?.deploymentId).toBe(deploymentId);
  const times = metrics.samples.map((sample) => Date.parse(sample.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));

  // Another workspace's caller finds no such app.
  await expect(getAppMetrics(deps, randomUUID(), 'holder', { hours: 1 })).rejects.toThrow(
    /no app named holder/,
  );
});
