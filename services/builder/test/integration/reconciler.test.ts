// The reconciler against a real engine: a live container that disappears or crashes comes back,
// a reboot swaps in a fresh one, and a container nobody wants is removed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { schema } from '@cove/shared/db/client';
import type { openJobQueues } from '@cove/shared/jobs/queues';
import { readRoute } from '@cove/shared/routing/route-table';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appNetworkName } from '../../src/deploy/container';
import {
  type BuilderWorld,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

const run = promisify(execFile);
let context: TestContext;
let git: GitServer;
let queues: ReturnType<typeof openJobQueues>;

let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, git, queues } = world);
});

afterAll(() => stopBuilderWorld(world));

async function waitForServingContainer(deploymentId: string, notId: string) {
  return waitFor(
    async () => {
      const deployment = await readDeployment(context, deploymentId);
      if (deployment.containerId === notId || deployment.hostPort === null) return undefined;
      return (await health(deployment.hostPort)) === 'ok' ? deployment : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'a fresh container to serve the live deployment' },
  );
}

test('the live version comes back after its container disappears, crashes or is rebooted', async () => {
  await git.createRepo('survivor', { 'app.py': 'import streamlit as st\nst.write("still here")\n' });
  const app = await insertApp(context, { name: 'survivor', repoUrl: git.repoUrl('survivor') });
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployed = await waitForFinished(context, deploymentId);
  expect(deployed.status).toBe('running');

  // Runs locked down: non-root, read-only, no capabilities, limited.
  const { stdout } = await run('docker', ['inspect', deployed.containerId ?? '']);
  const inspected: unknown = JSON.parse(stdout)[0];
  expect(inspected).toMatchObject({
    Config: { User: '10001:10001' },
    HostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 768 * 1024 * 1024,
      PidsLimit: 256,
      NetworkMode: appNetworkName(context.instance, app.appId),
      PortBindings: { '8501/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
  });

  // Removed behind Cove's back: started again, and the route follows the new port.
  await runtime.remove(deployed.containerId ?? '');
  const recovered = await waitForServingContainer(deploymentId, deployed.containerId ?? '');
  await waitFor(
    async () =>
      (await readRoute(context.redis, context.instance, 'survivor'))?.upstream?.port === recovered.hostPort,
    { timeoutMs: 30_000, description: 'the route to follow the recovered container' },
  );

  // Killed: the app shows as crashed with a plain message, then comes back after a short backoff.
  await run('docker', ['kill', recovered.containerId ?? '']);
  const crashed = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      return row.status === 'crashed' ? row : undefined;
    },
    { timeoutMs: 30_000, description: 'the app to show as crashed' },
  );
  expect(crashed.statusMessage).toMatch(/^Your app stopped with exit code 137\./);
  const restarted = await waitForServingContainer(deploymentId, recovered.containerId ?? '');
  await waitFor(async () => (await readApp(context, app.appId)).status === 'running', {
    timeoutMs: 30_000,
    description: 'the app to be running again',
  });

  // A reboot asked for by the author starts a fresh container, forgets the crashes, then drains
  // the old one.
  await queues.enqueueAppOperation({ appId: app.appId, operation: 'reboot' });
  await waitForServingContainer(deploymentId, restarted.containerId ?? '');
  await waitFor(async () => (await readApp(context, app.appId)).crashCount === 0, {
    timeoutMs: 30_000,
    description: 'the reboot to reset the crash count',
  });
  await waitFor(async () => (await containersOf(context.instance, deploymentId)).length === 1, {
    timeoutMs: 30_000,
    description: 'the container the reboot replaced to be drained and removed',
  });
});

test('a container of this instance that no deployment wants is removed', async () => {
  const live = (await containersOf(context.instance))[0];
  if (!live) throw new Error('the first test leaves a live container');
  const strayDeploymentId = crypto.randomUUID();
  const stray = await runtime.run({
    name: `cove-${context.instance}-stray`,
    image: live.image,
    labels: {
      'cove.instance': context.instance,
      'cove.app-id': live.labels['cove.app-id'] ?? '',
      'cove.deployment-id': strayDeploymentId,
    },
    env: {},
    network: appNetworkName(context.instance, live.labels['cove.app-id'] ?? ''),
    containerPort: 8501,
    userId: 10001,
    memoryMb: 256,
    cpus: 0.5,
    pidsLimit: 64,
    tmpfs: { '/tmp': 'size=16m', '/home/app': 'size=16m,uid=10001,gid=10001' },
  });
  await waitFor(async () => (await runtime.inspect(stray.id)) === null, {
    timeoutMs: 30_000,
    description: 'the stray container to be removed',
  });
  expect((await runtime.inspect(live.id))?.state).toBe('running');
});

/**
 * Removes a deployment's image, right after its containers (an image a running container uses
 * cannot be removed; containers run the image id, so untagging is not enough). A reconcile pass
 * between the two starts the live version again from the image; then both go again, up to ten times.
 */
async function removeImageOf(deployment: { id: string; imageId: string | null }): Promise<void> {
  await run('sh', [
    '-c',
    'for attempt in 1 2 3 4 5 6 7 8 9 10; do ' +
      'docker ps -aq --filter "label=cove.deployment-id=$1" | xargs -r docker rm --force >/dev/null; ' +
      'docker rmi --force "$2" >/dev/null 2>&1; ' +
      // Forced, an image a container started meanwhile uses is only untagged: it is still there.
      'docker image inspect "$2" >/dev/null 2>&1 || exit 0; ' +
      'done; exit 1',
    'remove',
    deployment.id,
    deployment.imageId ?? '',
  ]);
}

test('a live version whose image is gone is built again from its commit, once', async () => {
  await git.createRepo('imageless', { 'app.py': 'import streamlit as st\nst.write("soon gone")\n' });
  const app = await insertApp(context, { name: 'imageless', repoUrl: git.repoUrl('imageless') });
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployed = await waitForFinished(context, deploymentId);
  expect(deployed.status).toBe('running');

  // As after a backup restored onto a new host: the reconciler builds the same commit again, as a
  // deployment of its own in the app's history, and serves it.
  await removeImageOf(deployed);
  const rebuilt = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      if (row.status !== 'running' || row.liveDeploymentId === deploymentId || !row.liveDeploymentId)
        return undefined;
      return readDeployment(context, row.liveDeploymentId);
    },
    { timeoutMs: 150_000, intervalMs: 250, description: 'the rebuilt version to go live' },
  );
  expect(rebuilt).toMatchObject({ trigger: 'rebuild', status: 'running', commitSha: deployed.commitSha });
  expect(await health(rebuilt.hostPort ?? 0)).toBe('ok');

  // Once more, with the repository gone: the rebuild fails, and the app says so instead of
  // building again on every pass.
  await context.db
    .update(schema.apps)
    .set({ repoUrl: git.repoUrl('no-such-repository') })
    .where(eq(schema.apps.id, app.appId));
  await removeImageOf(rebuilt);
  const crashed = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      return row.status === 'crashed' && /did not go live/.test(row.statusMessage ?? '') ? row : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the app to say its rebuild failed' },
  );
  expect(crashed.statusMessage).toMatch(/is no longer on this host, and building it again did not go live/);
  const rebuilds = await context.db
    .select({ status: schema.deployments.status })
    .from(schema.deployments)
    .where(and(eq(schema.deployments.appId, app.appId), eq(schema.deployments.trigger, 'rebuild')))
    .orderBy(schema.deployments.createdAt);
  expect(rebuilds.map((row) => row.status)).toEqual(['running', 'failed']);
});
