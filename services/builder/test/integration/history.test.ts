// Rollback and image retention: three versions go live one after another with a retention of one
// image; the live and the previous images stay, the oldest goes. Making the previous version live
// again starts its image (no build step in its log) and serves that commit's files.
import { cancelDeployment, rollbackDeployment } from '@cove/shared/apps/service';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type BuilderWorld,
  builderConfig,
  containersOf,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;

let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld({ COVE_IMAGE_RETENTION: '1' });
  ({ context, git } = world);
});

afterAll(() => stopBuilderWorld(world));

/** A version whose static file says which it is, served by Streamlit at /app/static/version.txt. */
const version = (text: string) => ({
  'app.py': 'import streamlit as st\n\nst.title("History")\n',
  '.streamlit/config.toml': '[server]\nenableStaticServing = true\n',
  'static/version.txt': text,
});

async function servedVersion(port: number | null): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/app/static/version.txt`, {
    signal: AbortSignal.timeout(3000),
  });
  return response.text();
}

async function buildLog(deploymentId: string): Promise<string[]> {
  return (await readLogLines(context.db, deploymentId, 'build')).map((line) => line.line);
}

test('older images go by the retention setting; an earlier version is made live again from its image', async () => {
  const app = await insertApp(context, { name: 'history', repoUrl: git.repoUrl('history') });
  const queues = openJobQueues(context.redis, context.instance);
  const deps = { db: context.db, redis: context.redis, queues, config: builderConfig(context) };
  const shas = [await git.createRepo('history', version('one'))];
  shas.push(await git.commit('history', version('two'), 'Second version'));
  shas.push(await git.commit('history', version('three'), 'Third version'));

  const ids: string[] = [];
  for (const sha of shas) {
    const id = await insertDeployment(context, app, { commitSha: sha });
    await queues.enqueueBuild({ deploymentId: id });
    const deployed = await waitForFinished(context, id);
    expect(deployed.errorMessage).toBeNull();
    expect(deployed.status).toBe('running');
    ids.push(id);
  }
  const [firstId = '', secondId = '', thirdId = ''] = ids;
  const [first, second, third] = await Promise.all(ids.map((id) => readDeployment(context, id)));
  expect(await servedVersion(third?.hostPort ?? null)).toBe('three');

  // Retention 1: the live (third) and the previous (second) images stay; the first is gone.
  expect(first?.imageTag).toEqual(expect.any(String));
  // Old images are collected right after the swap.
  await waitFor(async () => (await runtime.imageId(first?.imageTag ?? '')) === null, {
    timeoutMs: 15_000,
    description: "the first version's image to be removed",
  });
  const secondImageId = await runtime.imageId(second?.imageTag ?? '');
  expect(secondImageId).toEqual(expect.any(String));
  expect(await runtime.imageId(third?.imageTag ?? '')).toEqual(expect.any(String));

  const rollback = await rollbackDeployment(deps, app.workspaceId, app.name, secondId);
  expect(rollback.trigger).toBe('rollback');
  expect(rollback.commit).toBe(shas[1]);
  const rolledBack = await waitForFinished(context, rollback.id);
  expect(rolledBack.errorMessage).toBeNull();
  expect(rolledBack.status).toBe('running');
  expect(rolledBack.imageTag).toBe(second?.imageTag);
  expect(await runtime.imageId(rolledBack.imageTag ?? '')).toBe(secondImageId);
  expect(await servedVersion(rolledBack.hostPort)).toBe('two');
  expect((await readApp(context, app.appId)).liveDeploymentId).toBe(rollback.id);
  const log = await buildLog(rollback.id);
  expect(log.some((line) => /^Step \d+\/\d+/.test(line) || line.startsWith('Cloning'))).toBe(false);
  expect(log.some((line) => line.includes('nothing is rebuilt'))).toBe(true);
  // The third version's container went away with the swap; its image stays as the previous one.
  await waitFor(async () => (await containersOf(context.instance, thirdId)).length === 0, {
    timeoutMs: 30_000,
    description: "the third version's container to be drained and removed",
  });
  expect(await runtime.imageId(third?.imageTag ?? '')).toEqual(expect.any(String));

  // The first version's image is gone: making it live again fails in plain words.
  const tooOld = await rollbackDeployment(deps, app.workspaceId, app.name, firstId);
  const failed = await waitForFinished(context, tooOld.id);
  expect(failed.status).toBe('failed');
  expect(failed.errorMessage).toMatch(/is no longer on this host.*Redeploy its commit instead/);
  expect((await readApp(context, app.appId)).liveDeploymentId).toBe(rollback.id);
  await expect(cancelDeployment(deps, app.workspaceId, app.name, tooOld.id)).rejects.toThrow(
    /nothing to cancel/,
  );
  await queues.close();
});
