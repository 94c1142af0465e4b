import type { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type BuilderWorld,
  containersOf,
  insertApp,
  insertDeployment,
  readApp,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;
let queues: ReturnType<typeof openJobQueues>;

let world: BuilderWorld | undefined;

/** Short, so the app that never answers fails quickly; every app here fails or exits anyway. */
const healthTimeoutSeconds = 8;

beforeAll(async () => {
  world = await startBuilderWorld({ COVE_HEALTH_TIMEOUT_SECONDS: String(healthTimeoutSeconds) });
  ({ context, git, queues } = world);
});

afterAll(() => stopBuilderWorld(world));

async function deployRepository(
  name: string,
  files: Record<string, string>,
  mainFile = 'app.py',
  branch = 'main',
) {
  const sha = await git.createRepo(name, files);
  const app = await insertApp(context, { name, repoUrl: git.repoUrl(name), mainFile, branch });
  const deploymentId = await insertDeployment(context, app, { branch });
  await queues.enqueueBuild({ deploymentId });
  const deployment = await waitForFinished(context, deploymentId);
  return { app, sha, deployment };
}

test('a repository without the main file fails at once, listing the files it has', async () => {
  const { app, sha, deployment } = await deployRepository(
    'no-main',
    { 'streamlit_app.py': 'import streamlit as st\n', 'README.md': '# hi\n', 'pages/one.py': '' },
    'app.py',
  );
  const expected =
    `The main file \`app.py\` is not in the repository at commit ${sha.slice(0, 7)} (branch main). ` +
    "Files at the top level: README.md, pages/, streamlit_app.py. Change the main file path in the app's settings, or push the file.";
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(expected);
  const appRow = await readApp(context, app.appId);
  expect(appRow.status).toBe('failed');
  expect(appRow.statusMessage).toBe(expected);
  const buildLog = (await readLogLines(context.db, deployment.id, 'build')).map((line) => line.line);
  expect(buildLog).toContain(`Error: ${expected}`);
});

test('a requirement that cannot be installed fails, naming the line of requirements.txt', async () => {
  const { deployment } = await deployRepository('bad-requirement', {
    'app.py': 'import streamlit as st\n',
    'requirements.txt': '# what the app needs\nthis-package-does-not-exist-cove==1.0\n',
  });
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toMatch(
    /^Line 2 of requirements.txt \(`this-package-does-not-exist-cove==1.0`\) could not be installed. uv says: .*this-package-does-not-exist-cove was not found in the package registry/,
  );
  expect(await containersOf(context.instance, deployment.id)).toEqual([]);
});

test('an app whose server exits while starting fails with what it printed, and leaves no container', async () => {
  // A file named streamlit.py shadows the library: `python -m streamlit` runs it and it exits.
  const { app, deployment } = await deployRepository('exits-at-start', {
    'app.py': 'import streamlit as st\nst.write("hi")\n',
    'streamlit.py':
      'import sys\nprint("my streamlit.py ran instead of Streamlit", file=sys.stderr)\nraise SystemExit(3)\n',
  });
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(
    'Your app stopped while starting. Streamlit printed:\nmy streamlit.py ran instead of Streamlit',
  );
  expect(await containersOf(context.instance, deployment.id)).toEqual([]);
  expect((await readApp(context, app.appId)).liveDeploymentId).toBeNull();
});

test('an app that starts but never answers its health check fails after the limit, with what it printed', async () => {
  // The author's own streamlit.py shadows the library (as above) and blocks, as a slow download
  // before the server starts would: the container runs, but /_stcore/health never answers.
  const { app, deployment } = await deployRepository('never-healthy', {
    'app.py': 'import streamlit as st\nst.write("hi")\n',
    'streamlit.py':
      'import sys, time\nprint("loading the model before the server starts", file=sys.stderr, flush=True)\ntime.sleep(3600)\n',
  });
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(
    `Your app did not answer within ${healthTimeoutSeconds} seconds of starting. Streamlit printed:\nloading the model before the server starts`,
  );
  expect(await containersOf(context.instance, deployment.id)).toEqual([]);
  expect((await readApp(context, app.appId)).liveDeploymentId).toBeNull();
  const buildLog = (await readLogLines(context.db, deployment.id, 'build')).map((line) => line.line);
  expect(buildLog).toContain('Container started; waiting for Streamlit to answer its health check.');
});

test('a branch that does not exist fails with a plain message', async () => {
  const { deployment } = await deployRepository('no-branch', { 'app.py': '' }, 'app.py', 'production');
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(
    `The branch \`production\` does not exist in ${git.repoUrl('no-branch')}. Check the branch name in the app's settings.`,
  );
});
