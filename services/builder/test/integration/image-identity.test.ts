// Containers start from the image id their deployment recorded, never from a tag: after a rename,
// another workspace's app that takes the old name and builds the same commit cannot put its image
// under the renamed app. An image built for another app is refused at start, with a plain message.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { schema } from '@cove/shared/db/client';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type AppFixture,
  type BuilderWorld,
  buildAndWait,
  containersOf,
  health,
  insertApp,
  readApp,
  readDeployment,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
} from './fixture';

const run = promisify(execFile);
let world: BuilderWorld | undefined;
let context: TestContext;
let queues: BuilderWorld['queues'];

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, queues } = world);
});
afterAll(() => stopBuilderWorld(world));

async function imageOfContainer(containerId: string): Promise<string> {
  const { stdout } = await run('docker', ['inspect', '--format', '{{.Image}}', containerId]);
  return stdout.trim();
}

async function deploy(app: AppFixture) {
  const { deployment } = await buildAndWait({ context, queues }, app);
  expect(deployment.status).toBe('running');
  return { deployment, image: await imageOfContainer(deployment.containerId ?? '') };
}

/** The app's first app renamed away, and a second workspace's app under its old name, same commit. */
async function renamedAndTakenOver(name: string) {
  await world?.git.createRepo(name, { 'app.py': 'import streamlit as st\nst.write("mine")\n' });
  const repoUrl = world?.git.repoUrl(name) ?? '';
  const original = await insertApp(context, { name, repoUrl });
  const first = await deploy(original);
  // The rename, once the old name's redirect has expired: the name is free for anyone.
  await context.db
    .update(schema.apps)
    .set({ name: `${name}-r` })
    .where(eq(schema.apps.id, original.appId));
  const taker = await insertApp(context, { name, repoUrl });
  expect(taker.workspaceId).not.toBe(original.workspaceId);
  const second = await deploy(taker);
  expect(second.deployment.commitSha).toBe(first.deployment.commitSha);
  expect(second.image).not.toBe(first.image);
  return { original, first, taker, second };
}

test('a renamed app keeps running its own image after another app takes its old name and builds the same commit', async () => {
  const { original, first } = await renamedAndTakenOver('img-owner');

  // Its container disappears: the reconciler starts it again, from its own image.
  await runtime.remove(first.deployment.containerId ?? '');
  const recovered = await waitFor(
    async () => {
      const deployment = await readDeployment(context, first.deployment.id);
      if (deployment.containerId === first.deployment.containerId || deployment.hostPort === null) {
        return undefined;
      }
      return (await health(deployment.hostPort)) === 'ok' ? deployment : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'a fresh container of the renamed app' },
  );
  expect(await imageOfContainer(recovered.containerId ?? '')).toBe(first.image);
  expect(recovered.imageId).toBe(first.image);
  expect((await readApp(context, original.appId)).status).toBe('running');
});

test('a deployment whose image was built for another app is refused, with the reason, and nothing runs it', async () => {
  const { original, first, second } = await renamedAndTakenOver('img-foreign');
  // A row from before image ids were recorded names only a tag; here it leads to the other app's image.
  await context.db
    .update(schema.deployments)
    .set({ imageId: null, imageTag: second.deployment.imageTag })
    .where(eq(schema.deployments.id, first.deployment.id));

  await runtime.remove(first.deployment.containerId ?? '');
  const crashed = await waitFor(
    async () => {
      const app = await readApp(context, original.appId);
      return app.status === 'crashed' ? app : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the app to say why it was not started' },
  );
  expect(crashed.statusMessage).toMatch(
    /refused to start this version: its image .* was built for another app/,
  );
  const containers = await containersOf(context.instance, first.deployment.id);
  expect(containers.filter((container) => container.state === 'running')).toEqual([]);
});
