// Rows and helpers the builder's integration tests share: a workspace with one app, deployments
// queued the way the dashboard queues them, a builder started in-process, and cleanup of every
// container, network and image carrying the test's instance label.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { webhookSecretPurpose } from '@cove/shared/apps/create';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { type JobQueues, openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { createLogger } from '@cove/shared/logs/logger';
import { encryptValue } from '@cove/shared/secrets/crypto';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { type RunningBuilder, startBuilder } from '../../src/builder';
import { appUserId } from '../../src/deploy/container';
import { removeAppFirewall } from '../../src/network/firewall';
import { createDockerRuntime } from '../../src/runtime/docker';
import { type ContainerInfo, labelKeys } from '../../src/runtime/types';

const runCommand = promisify(execFile);

const { apps, deployments, workspaces } = schema;

export const runtime = createDockerRuntime(process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock');

export interface AppFixture {
  appId: string;
  workspaceId: string;
  name: string;
}

export async function insertApp(
  context: TestContext,
  options: { name: string; repoUrl: string; branch?: string; mainFile?: string; workspaceId?: string },
): Promise<AppFixture> {
  const [workspace] = options.workspaceId
    ? [{ id: options.workspaceId }]
    : await context.db
        .insert(workspaces)
        .values({ name: `ws-${options.name}` })
        .returning();
  if (!workspace) throw new Error('no workspace inserted');
  const appId = crypto.randomUUID();
  const webhookSecretCiphertext = encryptValue(
    context.env.COVE_MASTER_KEY ?? '',
    { workspaceId: workspace.id, appId, purpose: webhookSecretPurpose },
    randomBytes(16).toString('hex'),
  );
  await context.db.insert(apps).values({
    id: appId,
    workspaceId: workspace.id,
    name: options.name,
    repoUrl: options.repoUrl,
    branch: options.branch ?? 'main',
    mainFile: options.mainFile ?? 'app.py',
    webhookSecretCiphertext,
  });
  return { appId, workspaceId: workspace.id, name: options.name };
}

export async function insertDeployment(
  context: TestContext,
  app: AppFixture,
  options: { branch?: string; commitSha?: string } = {},
): Promise<string> {
  const [row] = await context.db
    .insert(deployments)
    .values({
      appId: app.appId,
      workspaceId: app.workspaceId,
      trigger: options.commitSha ? 'push' : 'create',
      branch: options.branch ?? 'main',
      commitSha: options.commitSha ?? null,
    })
    .returning({ id: deployments.id });
  if (!row) throw new Error('no deployment inserted');
  return row.id;
}

export async function readDeployment(context: TestContext, deploymentId: string) {
  const [row] = await context.db.select().from(deployments).where(eq(deployments.id, deploymentId));
  if (!row) throw new Error(`deployment ${deploymentId} is gone`);
  return row;
}

export async function readApp(context: TestContext, appId: string) {
  const [row] = await context.db.select().from(apps).where(eq(apps.id, appId));
  if (!row) throw new Error(`app ${appId} is gone`);
  return row;
}

/** Waits until the deployment is finished (running, failed, superseded) and returns it. */
export async function waitForFinished(context: TestContext, deploymentId: string, timeoutMs = 150_000) {
  return waitFor(
    async () => {
      const row = await readDeployment(context, deploymentId);
      return ['running', 'failed', 'superseded', 'cancelled'].includes(row.status) ? row : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `deployment ${deploymentId} to finish` },
  );
}

/** Builds the app (at `commitSha`, else its branch's head) through the world's queue and waits for the end. */
export async function buildAndWait(
  world: Pick<BuilderWorld, 'context' | 'queues'>,
  app: AppFixture,
  commitSha?: string,
) {
  const deploymentId = await insertDeployment(world.context, app, commitSha ? { commitSha } : {});
  await world.queues.enqueueBuild({ deploymentId });
  const deployment = await waitForFinished(world.context, deploymentId);
  const buildLog = (await readLogLines(world.context.db, deploymentId, 'build')).map((line) => line.line);
  return { deployment, buildLog };
}

/**
 * The build log of a deployment that went live, once complete: its last lines (the switch and the
 * Timings summary) are written just after the deployment is marked running.
 */
export async function readLiveBuildLog(context: TestContext, deploymentId: string): Promise<string[]> {
  return waitFor(
    async () => {
      const lines = (await readLogLines(context.db, deploymentId, 'build')).map((line) => line.line);
      return lines.some((line) => line.startsWith('Timings: ')) ? lines : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100, description: `the complete build log of ${deploymentId}` },
  );
}

/** Runs a Python script inside an app's container as the app's user, in /app; answers what it printed. */
export async function runPythonAsApp(containerId: string, script: string): Promise<string> {
  const { stdout } = await runCommand('docker', [
    'exec',
    '--user',
    String(appUserId),
    '--workdir',
    '/app',
    containerId,
    'python',
    '-c',
    script,
  ]);
  return stdout;
}

export function builderConfig(context: TestContext) {
  return parseConfig(builderConfigSchema, context.env);
}

export function startTestBuilder(context: TestContext): Promise<RunningBuilder> {
  const config = builderConfig(context);
  return startBuilder(config, createLogger('builder-test', config.COVE_LOG_LEVEL), { drainMs: 5_000 });
}

export function containersOf(instance: string, deploymentId?: string): Promise<ContainerInfo[]> {
  return runtime.list({
    [labelKeys.instance]: instance,
    ...(deploymentId ? { [labelKeys.deploymentId]: deploymentId } : {}),
  });
}

export async function health(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/_stcore/health`, {
    signal: AbortSignal.timeout(3000),
  });
  return response.text();
}

export async function removeDockerObjects(instance: string): Promise<void> {
  const labels = { [labelKeys.instance]: instance };
  for (const container of await runtime.list(labels)) await runtime.remove(container.id);
  for (const network of await runtime.listNetworks(labels)) await runtime.removeNetwork(network);
  for (const image of await runtime.listImages(labels)) await runtime.removeImage(image);
  await runtime.removeVolumes(labels);
}

/** Removes what a test file's builder left on the machine: Docker objects, its app firewall and its
 * work directory. */
export async function cleanUpMachine(context: TestContext): Promise<void> {
  await removeDockerObjects(context.instance);
  await removeAppFirewall(context.instance);
  if (context.env.COVE_WORK_DIR) await rm(context.env.COVE_WORK_DIR, { recursive: true, force: true });
}

/** What most builder test files run against: their own database and instance, a git forge, a
 * builder started in-process, and the queues the dashboard would put jobs on. */
export interface BuilderWorld {
  context: TestContext;
  git: GitServer;
  builder: RunningBuilder;
  queues: JobQueues;
}

export async function startBuilderWorld(overrides: Record<string, string> = {}): Promise<BuilderWorld> {
  const context = await createTestContext(overrides);
  const git = await startGitServer();
  const builder = await startTestBuilder(context);
  return { context, git, builder, queues: openJobQueues(context.redis, context.instance) };
}

/** Tears a world down, removing every container, network and image of its instance. */
export async function stopBuilderWorld(world: BuilderWorld | undefined): Promise<void> {
  if (!world) return;
  await world.queues.close();
  await world.builder.stop();
  await cleanUpMachine(world.context);
  await world.git.close();
  await world.context.close();
}
