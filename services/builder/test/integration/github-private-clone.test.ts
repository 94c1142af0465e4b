// A private repository linked through the GitHub App: the builder asks the (fake) GitHub API for an
// installation token and clones with it from a git server that requires it; the token is in no
// build log, no row and not in the image.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';
import { schema } from '@cove/shared/db/client';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { type FakeGitHubApi, startFakeGitHubApi } from '@cove/shared/testing/github-api';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { installationTokenHeader } from '../../src/builds/github-source';
import { labelKeys } from '../../src/runtime/types';
import {
  type BuilderWorld,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readLiveBuildLog,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

const run = promisify(execFile);
const appId = '777';
const installationId = 7;
let api: FakeGitHubApi;
let forge: GitServer;
let world: BuilderWorld | undefined;

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  api = await startFakeGitHubApi({ appId, publicKey });
  api.addInstallation(installationId);
  // Like a private repository on GitHub: only a current installation token, as Basic credentials.
  forge = await startGitServer({
    isAuthorized: (authorization) =>
      api.issuedTokens.some(
        ({ token }) => `Authorization: ${authorization}` === installationTokenHeader(token),
      ),
  });
  world = await startBuilderWorld({
    COVE_GITHUB_APP_ID: appId,
    COVE_GITHUB_APP_SLUG: 'cove-test',
    COVE_GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    COVE_GITHUB_WEBHOOK_SECRET: 'a-webhook-secret-for-tests',
    COVE_GITHUB_API_URL: api.url,
    COVE_GITHUB_URL: forge.baseUrl,
  });
});

afterAll(async () => {
  await stopBuilderWorld(world);
  await forge?.close();
  await api?.close();
});

test('clones a private GitHub repository with an installation token that leaves no trace', async () => {
  if (!world) throw new Error('no builder world');
  const { context, queues } = world;
  await forge.createRepo('octocat/private-app', {
    'app.py': 'import streamlit as st\n\nst.title("Private")\n',
  });
  const unauthenticated = await fetch(
    `${forge.repoUrl('octocat/private-app')}/info/refs?service=git-upload-pack`,
  );
  expect(unauthenticated.status).toBe(401);

  const app = await insertApp(context, {
    name: 'private-app',
    repoUrl: 'https://github.com/octocat/private-app.git',
  });
  await context.db
    .update(schema.apps)
    .set({ githubInstallationId: installationId, githubRepoFullName: 'octocat/private-app' })
    .where(eq(schema.apps.id, app.appId));
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployment = await waitForFinished(context, deploymentId);
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  expect(await health(deployment.hostPort ?? 0)).toBe('ok');

  const tokens = api.issuedTokens.map(({ token }) => token);
  expect(tokens.length).toBeGreaterThan(0);
  const basic = tokens.map((token) => Buffer.from(`x-access-token:${token}`).toString('base64'));
  const secrets = [...tokens, ...basic];
  const buildLog = (await readLiveBuildLog(context, deploymentId)).join('\n');
  expect(buildLog).toContain('The new version is live.');
  const rows = JSON.stringify({ deployment, app: await readApp(context, app.appId) });
  const image = deployment.imageTag ?? '';
  expect(image).not.toBe('');
  const { stdout: history } = await run('docker', ['history', '--no-trunc', image]);
  const { stdout: inspect } = await run('docker', ['image', 'inspect', image]);
  // The app folder has no .git, and no file the build put in the image holds the token.
  const inImage = (script: string, ...args: string[]) =>
    run('docker', [
      'run',
      '--rm',
      // The image's labels name this instance; a container carrying them would be removed by the
      // world's reconciler as one it did not ask for, in the middle of the search.
      '--label',
      `${labelKeys.instance}=probe`,
      '--network',
      'none',
      '--entrypoint',
      'sh',
      image,
      '-c',
      script,
      ...args,
    ]).catch((error: { code?: unknown; signal?: unknown; stderr?: unknown }) => {
      // Say how docker run failed (exit code, signal, what it printed), not only that it did.
      throw new Error(
        `docker run in the image failed: code ${String(error.code)}, signal ${String(error.signal)}, stderr: ${String(error.stderr)}`,
      );
    });
  const { stdout: files } = await inImage('ls -a /app');
  const { stdout: found } = await inImage(
    'grep -rIl -e "$0" -e "$1" /app /home /tmp /etc 2>/dev/null | sed "s/^/token in /"; true',
    tokens[0] ?? 'none',
    basic[0] ?? 'none',
  );
  expect(found).toBe('');
  expect(files.split('\n')).not.toContain('.git');
  expect(files).toContain('app.py');
  for (const secret of secrets) {
    for (const [where, text] of Object.entries({ buildLog, rows, history, inspect, files })) {
      expect(text.includes(secret), `the token is in ${where}`).toBe(false);
    }
  }
});
