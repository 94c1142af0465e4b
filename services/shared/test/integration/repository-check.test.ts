// A wrong repository is caught before the app exists: the URL, the branch and the main file are
// checked against a real git server (smart HTTP), each with a message naming the field to fix; the
// settings change the repository URL under the same checks. (The dashboard maps these errors to a
// 422 with per-field messages, as for every CoveError.)
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from '../../src/apps/create';
import type { AppsDeps } from '../../src/apps/deps';
import { listApps } from '../../src/apps/queries';
import { updateApp } from '../../src/apps/settings';
import { signUp } from '../../src/auth/accounts';
import { parseConfig } from '../../src/config/load';
import { commonConfigSchema } from '../../src/config/schemas';
import { CoveError } from '../../src/errors';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { type GitServer, startGitServer } from '../../src/testing/git-server';

let context: TestContext;
let git: GitServer;
let workspaceId: string;
const queued: string[] = [];

function depsWith(env: Record<string, string> = {}): AppsDeps {
  return {
    db: context.db,
    redis: context.redis,
    queues: {
      enqueueBuild: async ({ deploymentId }) => {
        queued.push(deploymentId);
      },
      enqueueAppOperation: async () => {},
    },
    config: parseConfig(commonConfigSchema, { ...context.env, COVE_GIT_CHECK_REPOSITORIES: 'true', ...env }),
  };
}

beforeAll(async () => {
  context = await createTestContext();
  git = await startGitServer();
  await git.createRepo('hello', { 'streamlit_app.py': 'import streamlit as st\n', 'README.md': '# hi\n' });
  await git.createRepo('other', { 'app.py': 'import streamlit as st\n' });
  ({
    workspace: { id: workspaceId },
  } = await signUp(context.db, { email: 'checks@example.com', password: 'long password 1' }));
});
afterAll(async () => {
  await git?.close();
  await context?.close();
});

async function refusal(attempt: Promise<unknown>): Promise<CoveError> {
  const error = await attempt.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof CoveError)) throw new Error(`expected a CoveError, got ${String(error)}`);
  expect(error.httpStatus).toBe(422);
  return error;
}

test('a repository that is not there is refused at creation, naming the address', async () => {
  const url = git.repoUrl('nothing-here');
  const error = await refusal(createApp(depsWith(), workspaceId, { name: 'check-missing', repoUrl: url }));
  expect(error.message).toBe(
    `Cove could not read a git repository at ${url}: it does not exist, or it is private. Check the address (the one you would give to git clone).`,
  );
  expect(error.details).toEqual({ fields: { repoUrl: error.message } });
});

test('nothing answering at the address is said in plain words', async () => {
  const error = await refusal(
    createApp(depsWith(), workspaceId, { name: 'check-closed', repoUrl: 'http://127.0.0.1:9/repo.git' }),
  );
  expect(error.message).toBe(
    'Nothing answered at http://127.0.0.1:9/repo.git. Check the address: it is the one you would give to git clone.',
  );
});

test('a branch that does not exist is refused, listing the branches there are', async () => {
  const error = await refusal(
    createApp(depsWith(), workspaceId, {
      name: 'check-branch',
      repoUrl: git.repoUrl('hello'),
      branch: 'mian',
    }),
  );
  expect(error.message).toBe('The branch `mian` is not in the repository. Its branches: `main`.');
  expect(error.details).toEqual({ fields: { branch: error.message } });
});

test('a main file that is not in the branch head is refused, listing the Python files there', async () => {
  const error = await refusal(
    createApp(depsWith(), workspaceId, { name: 'check-main', repoUrl: git.repoUrl('other') }),
  );
  expect(error.message).toMatch(
    /^The main file `streamlit_app.py` is not in the branch `main` \(commit [0-9a-f]{7}\)\. Python files at the top level: `app.py`\.$/,
  );
  expect(error.details).toEqual({ fields: { mainFile: error.message } });
  // Nothing was stored.
  const names = (await listApps(depsWith(), workspaceId)).map((app) => app.name);
  expect(names).not.toContain('check-main');
});

test('a private or link-local address is refused before git runs, unless the operator allows them', async () => {
  const strict = depsWith({
    COVE_GIT_ALLOW_PRIVATE_ADDRESSES: 'false',
    COVE_GIT_ALLOWED_SCHEMES: 'https,http',
  });
  const error = await refusal(
    createApp(strict, workspaceId, { name: 'check-private', repoUrl: 'http://169.254.169.254/r.git' }),
  );
  expect(error.code).toBe('unsafe_git_url');
  expect(error.message).toContain('points to a private or local address (169.254.169.254)');
});

test('a good repository is accepted; the settings change its URL under the same checks', async () => {
  const deps = depsWith();
  await createApp(deps, workspaceId, { name: 'check-good', repoUrl: git.repoUrl('hello') });
  const refused = await refusal(
    updateApp(deps, workspaceId, 'check-good', { repoUrl: git.repoUrl('other') }),
  );
  expect(refused.details).toEqual({ fields: { mainFile: refused.message } });

  const before = queued.length;
  const moved = await updateApp(deps, workspaceId, 'check-good', {
    repoUrl: git.repoUrl('other'),
    mainFile: 'app.py',
  });
  expect(moved.isRebuilding).toBe(true);
  expect(moved.app.repoUrl).toBe(git.repoUrl('other'));
  expect(queued.length).toBe(before + 1);
});
