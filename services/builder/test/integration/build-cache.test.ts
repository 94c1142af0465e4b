// uv's cache across builds, on the real engine: the apps of a workspace share one, other workspaces
// never see it; a code-only push reuses the installed dependencies; and the engine's build cache is
// trimmed least recently used first.
import type { openJobQueues } from '@cove/shared/jobs/queues';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { labelKeys } from '../../src/runtime/types';
import {
  type AppFixture,
  type BuilderWorld,
  buildAndWait,
  insertApp,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
} from './fixture';

let context: TestContext;
let git: GitServer;
let queues: ReturnType<typeof openJobQueues>;
let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, git, queues } = world);
});

afterAll(() => stopBuilderWorld(world));

const mainFile = 'import six\nimport streamlit as st\n\nst.write("six", six.__version__)\n';

async function deploy(app: AppFixture, commitSha?: string) {
  const { deployment, buildLog } = await buildAndWait({ context, queues }, app, commitSha);
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  return buildLog;
}

async function deployRepository(name: string, requirementsTxt: string, workspaceId?: string) {
  await git.createRepo(name, { 'app.py': mainFile, 'requirements.txt': requirementsTxt });
  const app = await insertApp(context, {
    name,
    repoUrl: git.repoUrl(name),
    ...(workspaceId ? { workspaceId } : {}),
  });
  return { app, buildLog: await deploy(app) };
}

/** uv's summary of what it had to download or build ("Prepared 1 package in 6ms"): none when cached. */
function preparedLines(buildLog: readonly string[]): string[] {
  return buildLog.filter((line) => /^Prepared \d+ packages? in /.test(line));
}

test('the apps of a workspace share uv’s cache; another workspace does not see it', async () => {
  const first = await deployRepository('cache-first', 'six==1.16.0\n');
  expect(preparedLines(first.buildLog)).toEqual([expect.stringMatching(/^Prepared 1 package in /)]);

  // A different file (so the install runs again rather than reusing the dependency image), the same
  // package: installed from the workspace's cache, nothing fetched.
  const sameWorkspaceFile = '# the second app of the workspace\nsix==1.16.0\n';
  const second = await deployRepository('cache-second', sameWorkspaceFile, first.app.workspaceId);
  expect(second.buildLog.some((line) => /^Installed 1 package in /.test(line))).toBe(true);
  expect(preparedLines(second.buildLog)).toEqual([]);

  // The very same files in another workspace: neither its dependency image nor its uv cache is shared.
  const other = await deployRepository('cache-other', sameWorkspaceFile);
  expect(other.app.workspaceId).not.toBe(first.app.workspaceId);
  expect(preparedLines(other.buildLog)).toEqual([expect.stringMatching(/^Prepared 1 package in /)]);
});

const diskUsage = z.object({
  BuildCache: z.array(z.object({ Size: z.number(), Shared: z.boolean() })).nullish(),
});

/** What the engine's build cache holds, as BuildKit counts it when it trims. */
async function buildCacheBytes(): Promise<number> {
  const docker = new Docker({ socketPath: process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock' });
  const records = diskUsage.parse(await docker.df()).BuildCache ?? [];
  return records.filter((record) => !record.Shared).reduce((total, record) => total + record.Size, 0);
}

test('trimming the build cache frees the least recently used; a code-only push still reuses the dependencies', async () => {
  const { app } = await deployRepository('trim', 'six==1.16.0\n');
  // Just under what the engine holds: the oldest record goes (the engine is shared with other
  // tests, so nothing more).
  const keepStorageBytes = (await buildCacheBytes()) - 1;
  const { reclaimedBytes } = await runtime.pruneBuildCache(keepStorageBytes);
  expect(reclaimedBytes).toBeGreaterThan(0);

  const codeOnly = await git.commit('trim', { 'app.py': `${mainFile}st.write("two")\n` }, 'Code only');
  const buildLog = await deploy(app, codeOnly);
  expect(buildLog).toContain(
    'The dependencies are the same as in an earlier build: reusing their installed image.',
  );
  expect(preparedLines(buildLog)).toEqual([]);
  expect(buildLog.some((line) => /^Installed \d+ packages? in /.test(line))).toBe(false);
});

test('a dependency change installs anew; the app keeps one dependency image, and its older versions still run', async () => {
  const { app } = await deployRepository('deps-change', 'six==1.16.0\n');
  const dependencyImages = () =>
    runtime.listImages({ [labelKeys.instance]: context.instance, [labelKeys.dependenciesOf]: app.appId });
  const [first] = await dependencyImages();
  expect(first).toBeDefined();

  const changed = await git.commit('deps-change', { 'requirements.txt': 'six==1.16.0\n# pinned\n' }, 'Deps');
  const buildLog = await deploy(app, changed);
  expect(buildLog.some((line) => /^Installed 1 package in /.test(line))).toBe(true);
  const images = await dependencyImages();
  expect(images).toHaveLength(1);
  expect(images).not.toContain(first);
  // The first version's image (a rollback target) kept its layers when its dependency image went.
  const versions = await runtime.listImages({
    [labelKeys.instance]: context.instance,
    [labelKeys.appId]: app.appId,
  });
  expect(versions).toHaveLength(2);
  for (const image of versions) {
    const imported = await runtime.runCommand({
      image,
      command: ['python', '-c', 'import six; print(six.__version__)'],
      labels: { [labelKeys.helperOf]: context.instance },
      timeoutMs: 30_000,
    });
    expect(imported).toEqual({ exitCode: 0, lines: ['1.16.0'] });
  }
});
