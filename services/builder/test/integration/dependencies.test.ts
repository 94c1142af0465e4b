// Real repositories with the dependency files people push, built on the real runtime image.
import { readFile } from 'node:fs/promises';
import type { openJobQueues } from '@cove/shared/jobs/queues';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runtimePythonVersions } from '../../src/builds/runtime-python';
import { labelKeys } from '../../src/runtime/types';
import {
  type AppFixture,
  type BuilderWorld,
  buildAndWait,
  builderConfig,
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

const reusedDependencies =
  'The dependencies are the same as in an earlier build: reusing their installed image.';

const importsSix = 'import six\nimport streamlit as st\n\nst.write("six", six.__version__)\n';

function deploy(app: AppFixture, commitSha?: string) {
  return buildAndWait({ context, queues }, app, commitSha);
}

async function deployRepository(name: string, files: Record<string, string>, mainFile = 'app.py') {
  await git.createRepo(name, files);
  const app = await insertApp(context, { name, repoUrl: git.repoUrl(name), mainFile });
  return { app, ...(await deploy(app)) };
}

/** Runs a command in the deployment's image, as the app would see it. */
async function runInImage(imageTag: string | null, command: string[]) {
  if (imageTag === null) throw new Error('the deployment has no image');
  return runtime.runCommand({
    image: imageTag,
    command,
    labels: { [labelKeys.helperOf]: context.instance },
    timeoutMs: 30_000,
  });
}

/** The image has six 1.16.0, importable by the app's Python. */
async function expectSixInstalled(imageTag: string | null) {
  const imported = await runInImage(imageTag, ['python', '-c', 'import six; print(six.__version__)']);
  expect(imported).toEqual({ exitCode: 0, lines: ['1.16.0'] });
}

test('requirements.txt next to the main file wins over the one at the root', async () => {
  const { deployment, buildLog } = await deployRepository(
    'beside-main',
    {
      'src/app.py': importsSix,
      'src/requirements.txt': 'six==1.16.0\n',
      // Installing this one would fail the build.
      'requirements.txt': 'this-package-does-not-exist-cove==1.0\n',
    },
    'src/app.py',
  );
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(buildLog).toContain(
    'Using requirements.txt from src/ (next to the main file); ignoring requirements.txt.',
  );
  await expectSixInstalled(deployment.imageTag);
});

test('files requirements.txt includes with -r and -c are installed with it; a local path is explained', async () => {
  const { deployment, buildLog } = await deployRepository(
    'includes',
    {
      'src/app.py': importsSix,
      'src/requirements.txt': '-r requirements/base.txt\n-c ../constraints.txt\n',
      'src/requirements/base.txt': '# shared with the notebooks\nsix\n',
      'constraints.txt': 'six==1.16.0\n',
    },
    'src/app.py',
  );
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(buildLog).toContain(
    'src/requirements.txt includes src/requirements/base.txt, constraints.txt; they are installed with it.',
  );
  await expectSixInstalled(deployment.imageTag);

  const local = await deployRepository('local-path', {
    'app.py': importsSix,
    'requirements.txt': 'six\n-e .\n',
    'setup.py': 'from setuptools import setup\nsetup(name="mine")\n',
  });
  expect(local.deployment.status).toBe('failed');
  expect(local.deployment.errorMessage).toMatch(
    /^Line 2 of requirements.txt \(`-e \.`\) installs a local path\. Cove installs dependencies in their own layer before your code is copied in/,
  );
});

test('pyproject.toml dependencies and packages.txt are installed, and a code-only push reuses them', async () => {
  const imagePython = (
    await runtimePythonVersions(runtime, { [labelKeys.helperOf]: context.instance }).offered(
      builderConfig(context).COVE_RUNTIME_IMAGE,
    )
  )[0];
  if (imagePython === undefined) throw new Error('the runtime image offers no Python');
  const files = {
    'app.py': importsSix,
    'pyproject.toml': '[project]\nname = "demo"\nversion = "0.1.0"\ndependencies = [\n  "six==1.16.0",\n]\n',
    'packages.txt': '# a tiny Debian package\nsl\n',
    '.python-version': `${imagePython.split('.').slice(0, 2).join('.')}\n`,
    '.streamlit/config.toml': '[server]\nport = 9999\n\n[theme]\nbase = "dark"\n',
  };
  const { app, deployment, buildLog } = await deployRepository('pyproject-apt', files);
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(buildLog).toContain('Using the [project] dependencies of pyproject.toml at the repository root.');
  expect(buildLog).toContain('Installing a Debian package from packages.txt with apt-get: sl.');
  expect(buildLog).toContain(
    "Using the repository's .streamlit/config.toml, except server.port: Cove sets this option itself, so it is overridden.",
  );
  expect(buildLog).toContain(`Using Python ${imagePython}, as .python-version asks.`);
  const checked = await runInImage(deployment.imageTag, [
    'sh',
    '-c',
    'python -c "import six; print(six.__version__)" && test -x /usr/games/sl && echo sl',
  ]);
  expect(checked).toEqual({ exitCode: 0, lines: ['1.16.0', 'sl'] });

  const codeOnly = await git.commit(
    'pyproject-apt',
    { 'app.py': `${importsSix}st.write("two")\n` },
    'Code only',
  );
  const second = await deploy(app, codeOnly);
  expect(second.deployment.status).toBe('running');
  // apt-get and uv do not run again: the image they installed into is reused as it is.
  expect(second.buildLog).toContain(reusedDependencies);
  expect(second.buildLog.filter((line) => line.startsWith('Installing Debian packages'))).toEqual([]);
  expect(
    second.buildLog.filter((line) => line.startsWith('Using Python') && line.includes('environment at')),
  ).toEqual([]);
  await expectSixInstalled(second.deployment.imageTag);
});

test('uv.lock (with its pyproject.toml) comes before requirements.txt and installs the locked versions', async () => {
  const fixture = (name: string) => readFile(new URL(`./fixtures/uv-six/${name}`, import.meta.url), 'utf8');
  const { deployment, buildLog } = await deployRepository('uv-lock', {
    'app.py': importsSix,
    'pyproject.toml': await fixture('pyproject.toml'),
    'uv.lock': await fixture('uv.lock'),
    'requirements.txt': 'this-package-does-not-exist-cove==1.0\n',
  });
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(buildLog).toContain(
    'Using uv.lock (with its pyproject.toml, installed exactly as locked) at the repository root; ignoring requirements.txt.',
  );
  const imported = await runInImage(deployment.imageTag, [
    'python',
    '-c',
    'import six, streamlit; print(six.__version__); print(streamlit.__name__)',
  ]);
  expect(imported).toEqual({ exitCode: 0, lines: ['1.16.0', 'streamlit'] });
});

test('a line of packages.txt that is not a Debian package name fails the build, naming the line', async () => {
  const { deployment } = await deployRepository('bad-packages', {
    'app.py': 'import streamlit as st\n',
    'packages.txt': 'ffmpeg\nlibsm6 libxext6\n',
  });
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toBe(
    'Line 2 of packages.txt (`libsm6 libxext6`) is not a Debian package name. Put one package per line. Lines starting with # are comments.',
  );
});

test('a Python version the platform does not offer fails the build with the fix', async () => {
  const { deployment } = await deployRepository('old-python', {
    'app.py': 'import streamlit as st\n',
    '.python-version': '3.9\n',
  });
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toMatch(
    /^Python 3\.9 is not available; this platform offers 3\.\d+\. Change \.python-version\.$/,
  );
});

test('a Pipfile requirement that cannot be installed names the Pipfile line', async () => {
  const { deployment } = await deployRepository('bad-pipfile', {
    'app.py': 'import streamlit as st\n',
    Pipfile: '[packages]\nsix = "*"\nthis-package-does-not-exist-cove = "==1.0"\n',
  });
  expect(deployment.status).toBe('failed');
  expect(deployment.errorMessage).toMatch(
    /^Line 3 of Pipfile \(`this-package-does-not-exist-cove = "==1.0"`\) could not be installed\. uv says: .*was not found in the package registry/,
  );
});
