// An app's settings reach what the builder does: its Python setting picks the version when the
// repository has no .python-version, its memory and CPU limits reach the container (and a change
// restarts it, health-checked, without a build), and deleting it leaves nothing in the engine.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deleteApp, updateApp } from '@cove/shared/apps/service';
import { schema } from '@cove/shared/db/client';
import type { JobQueues } from '@cove/shared/jobs/queues';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runtimePythonVersions } from '../../src/builds/runtime-python';
import { appNetworkName } from '../../src/deploy/container';
import { labelKeys } from '../../src/runtime/types';
import {
  type BuilderWorld,
  builderConfig,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readDeployment,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

const run = promisify(execFile);
let context: TestContext;
let git: GitServer;
let queues: JobQueues;
let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld({ COVE_APP_MAX_MEMORY_MB: '1024', COVE_APP_MAX_CPUS: '2' });
  ({ context, git, queues } = world);
});

afterAll(() => stopBuilderWorld(world));

async function limitsOf(containerId: string): Promise<{ memoryBytes: number; nanoCpus: number }> {
  const { stdout } = await run('docker', [
    'inspect',
    '--format',
    '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}',
    containerId,
  ]);
  const [memoryBytes, nanoCpus] = stdout.trim().split(' ').map(Number);
  return { memoryBytes: memoryBytes ?? 0, nanoCpus: nanoCpus ?? 0 };
}

/**
 * An image labelled as a dependency image of the app, as a build that installs packages leaves
 * (builds/dependency-image.ts), without the install: this app's repository has no dependencies.
 */
async function buildDependencyImageOf(appId: string, runtimeImage: string): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'cove-dependencies-'));
  try {
    await writeFile(path.join(workDir, 'Dockerfile'), `FROM ${runtimeImage}\n`);
    const built = await runtime.buildImage({
      contextDir: workDir,
      dockerfile: 'Dockerfile',
      excludedPaths: [],
      tag: `cove-${context.instance}-dependencies/settings:${appId}`,
      labels: { [labelKeys.instance]: context.instance, [labelKeys.dependenciesOf]: appId },
      onLine: () => {},
    });
    if (!built.isSuccess) throw new Error(`the dependency image did not build: ${built.errorMessage}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function buildLog(deploymentId: string): Promise<string> {
  const rows = await context.db
    .select({ line: schema.deploymentLogs.line })
    .from(schema.deploymentLogs)
    .where(eq(schema.deploymentLogs.deploymentId, deploymentId));
  return rows.map((row) => row.line).join('\n');
}

test("the app's Python, memory and CPU settings are used; delete removes its images and network", async () => {
  const config = builderConfig(context);
  const [imagePython] = await runtimePythonVersions(runtime, {
    [labelKeys.helperOf]: context.instance,
  }).offered(config.COVE_RUNTIME_IMAGE);
  const minor = (imagePython ?? '').split('.').slice(0, 2).join('.');
  await git.createRepo('tuned', { 'app.py': 'import streamlit as st\nst.write("tuned")\n' });
  const app = await insertApp(context, { name: 'tuned', repoUrl: git.repoUrl('tuned') });
  await context.db
    .update(schema.apps)
    .set({ pythonVersion: minor, memoryMb: 300, cpus: 0.5 })
    .where(eq(schema.apps.id, app.appId));

  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployed = await waitForFinished(context, deploymentId);
  expect(deployed.errorMessage).toBeNull();
  expect(await buildLog(deploymentId)).toContain(
    `Using Python ${imagePython}, as the Python version in the app's settings asks.`,
  );
  // The deployment records the Python it was built with (the settings panel compares it).
  expect(deployed.pythonVersion).toBe(minor);
  const firstContainer = deployed.containerId ?? '';
  expect(await limitsOf(firstContainer)).toEqual({ memoryBytes: 300 * 1024 * 1024, nanoCpus: 500_000_000 });

  // A new limit restarts the live version from its image: no new deployment, a new container.
  const deps = { db: context.db, redis: context.redis, queues, config };
  const changed = await updateApp(deps, app.workspaceId, app.name, { memoryMb: 400, cpus: 1 });
  expect(changed).toMatchObject({ isRestarting: true, isRebuilding: false });
  const restarted = await waitFor(
    async () => {
      const row = await readDeployment(context, deploymentId);
      if (row.containerId === firstContainer || row.hostPort === null) return undefined;
      return (await health(row.hostPort)) === 'ok' ? row : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the live version to restart with new limits' },
  );
  expect(await limitsOf(restarted.containerId ?? '')).toEqual({
    memoryBytes: 400 * 1024 * 1024,
    nanoCpus: 1_000_000_000,
  });
  const appDeployments = await context.db
    .select()
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.appId));
  expect(appDeployments).toHaveLength(1);

  // Delete: containers, images (its dependency images too) and the app's network go; the runtime
  // image stays.
  const appLabels = { [labelKeys.instance]: context.instance, [labelKeys.appId]: app.appId };
  const dependencyLabels = { [labelKeys.instance]: context.instance, [labelKeys.dependenciesOf]: app.appId };
  await buildDependencyImageOf(app.appId, config.COVE_RUNTIME_IMAGE);
  expect(await runtime.listImages(appLabels)).not.toHaveLength(0);
  expect(await runtime.listImages(dependencyLabels)).toHaveLength(1);
  await deleteApp(deps, app.workspaceId, app.name);
  await waitFor(
    async () =>
      (await containersOf(context.instance)).length === 0 &&
      (await runtime.listImages(appLabels)).length === 0 &&
      (await runtime.listImages(dependencyLabels)).length === 0 &&
      !(await runtime.listNetworks({ [labelKeys.instance]: context.instance })).includes(
        appNetworkName(context.instance, app.appId),
      ),
    {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: "the deleted app's containers, images and network to go",
    },
  );
  expect(await runtime.imageId(config.COVE_RUNTIME_IMAGE)).not.toBeNull();
});
