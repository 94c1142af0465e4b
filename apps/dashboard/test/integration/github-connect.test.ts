import { randomUUID } from 'node:crypto';
import { createAppResponse, errorResponse } from '@cove/shared/contracts/api';
import {
  gitHubBranchesResponse,
  gitHubFilesResponse,
  gitHubInstallationsResponse,
  gitHubRepositoriesResponse,
} from '@cove/shared/contracts/github';
import { schema } from '@cove/shared/db/client';
import { signConnectState } from '@cove/shared/github/connect-state';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as installationsRoute from '../../app/api/v1/github/installations/route';
import * as branchesRoute from '../../app/api/v1/github/repos/[owner]/[repo]/branches/route';
import * as filesRoute from '../../app/api/v1/github/repos/[owner]/[repo]/files/route';
import * as reposRoute from '../../app/api/v1/github/repos/route';
import {
  connectInstallation,
  finishSetup,
  type GitHubDashboard,
  startConnect,
  startGitHubDashboard,
  stopGitHubDashboard,
} from './github-harness';
import { call, signUpWithToken } from './harness';

let world: GitHubDashboard;
let owner: Awaited<ReturnType<typeof signUpWithToken>>;
let stranger: Awaited<ReturnType<typeof signUpWithToken>>;

beforeAll(async () => {
  world = await startGitHubDashboard();
  owner = await signUpWithToken();
  stranger = await signUpWithToken();
});
afterAll(() => stopGitHubDashboard(world));

async function installationRows() {
  return world.context.db.select().from(schema.githubInstallations);
}

describe('connecting GitHub', () => {
  function granted(installationIds: number[]): string {
    const code = `code-${randomUUID()}`;
    world.api.grantCode(code, installationIds);
    return code;
  }

  test("refuses a forged, an expired or somebody else's state, and links nothing", async () => {
    const state = await startConnect(world, owner.cookie);
    const forged = `${state.slice(0, -4)}AAAA`;
    expect(
      (await finishSetup(owner.cookie, 1, forged, granted([1]))).searchParams.get('github_error'),
    ).toMatch(/not made by this Cove/);
    const masterKey = world.context.env.COVE_MASTER_KEY ?? '';
    const longAgo = new Date(Date.now() - 16 * 60_000);
    const expired = signConnectState(
      masterKey,
      { workspaceId: owner.workspaceId, userId: owner.userId },
      longAgo,
    );
    expect(
      (await finishSetup(owner.cookie, 1, expired, granted([1]))).searchParams.get('github_error'),
    ).toMatch(/expired/);
    expect(
      (await finishSetup(stranger.cookie, 1, state, granted([1]))).searchParams.get('github_error'),
    ).toMatch(/another person or for another workspace/);
    expect(await installationRows()).toEqual([]);
  });

  test('refuses an installation id the person cannot manage on GitHub (typed into the link by hand)', async () => {
    const noCode = await finishSetup(owner.cookie, 1, await startConnect(world, owner.cookie));
    expect(noCode.searchParams.get('github_error')).toMatch(/no authorization code/);
    const someoneElses = await finishSetup(
      owner.cookie,
      1,
      await startConnect(world, owner.cookie),
      granted([2]),
    );
    expect(someoneElses.searchParams.get('github_error')).toMatch(/cannot manage installation 1/);
    const badCode = await finishSetup(
      owner.cookie,
      1,
      await startConnect(world, owner.cookie),
      'never-issued',
    );
    expect(badCode.searchParams.get('github_error')).toMatch(/The code passed is incorrect or expired/);
    expect(await installationRows()).toEqual([]);
  });

  test('links the installation GitHub reports to the workspace, then goes to the new-app page', async () => {
    const location = await connectInstallation(world, owner.cookie);
    expect(location.pathname).toBe('/apps/new');
    expect(location.searchParams.get('github')).toBe('connected');
    const [row] = await installationRows();
    expect(row).toMatchObject({ installationId: 1, workspaceId: owner.workspaceId, accountLogin: 'octocat' });
    expect(row?.connectedBy).toBe(owner.userId);
    const appJwtCall = world.api.requests.find((request) => request.path === '/app/installations/1');
    expect(appJwtCall?.method).toBe('GET');
  });

  test('refuses an installation already linked to another workspace', async () => {
    const location = await connectInstallation(world, stranger.cookie);
    expect(location.searchParams.get('github_error')).toMatch(/already connected to another Cove workspace/);
    const rows = await installationRows();
    expect(rows.map((row) => row.workspaceId)).toEqual([owner.workspaceId]);
  });
});

describe('the pickers', () => {
  test('list the installations, repositories, branches and Python files of the workspace', async () => {
    const installations = await call(installationsRoute.GET, {
      path: '/github/installations',
      params: {},
      token: owner.token,
    });
    expect(gitHubInstallationsResponse.parse(await installations.json())).toMatchObject({
      isConfigured: true,
      installations: [{ installationId: 1, accountLogin: 'octocat' }],
    });
    const repos = await call(reposRoute.GET, { path: '/github/repos', params: {}, token: owner.token });
    expect(gitHubRepositoriesResponse.parse(await repos.json()).repositories).toEqual([
      { fullName: 'octocat/Hello-World', isPrivate: false, defaultBranch: 'master', installationId: 1 },
      { fullName: 'octocat/streamlit-dashboard', isPrivate: true, defaultBranch: 'main', installationId: 1 },
    ]);
    const params = { owner: 'octocat', repo: 'Hello-World' };
    const branches = await call(branchesRoute.GET, {
      path: '/github/repos/octocat/Hello-World/branches',
      params,
      token: owner.token,
    });
    expect(gitHubBranchesResponse.parse(await branches.json()).branches).toEqual([
      'master',
      'feature/charts',
    ]);
    const files = await call(filesRoute.GET, {
      path: '/github/repos/octocat/Hello-World/files?branch=master',
      params,
      token: owner.token,
    });
    expect(gitHubFilesResponse.parse(await files.json())).toEqual({
      paths: ['streamlit_app.py', 'lib/helpers.py', 'pages/2_charts.py'],
      isTruncated: false,
    });
  });

  test("show another workspace nothing of this one's GitHub", async () => {
    const installations = await call(installationsRoute.GET, {
      path: '/github/installations',
      params: {},
      token: stranger.token,
    });
    expect(gitHubInstallationsResponse.parse(await installations.json()).installations).toEqual([]);
    const repos = await call(reposRoute.GET, { path: '/github/repos', params: {}, token: stranger.token });
    expect(gitHubRepositoriesResponse.parse(await repos.json()).repositories).toEqual([]);
    const branches = await call(branchesRoute.GET, {
      path: '/github/repos/octocat/Hello-World/branches',
      params: { owner: 'octocat', repo: 'Hello-World' },
      token: stranger.token,
    });
    expect(branches.status).toBe(404);
    expect(errorResponse.parse(await branches.json()).error.message).toMatch(
      /has not connected GitHub for octocat/,
    );
  });

  test('say a missing branch in plain words (GitHub answers 404)', async () => {
    const files = await call(filesRoute.GET, {
      path: '/github/repos/octocat/Hello-World/files?branch=gone',
      params: { owner: 'octocat', repo: 'Hello-World' },
      token: owner.token,
    });
    expect(files.status).toBe(404);
    expect(errorResponse.parse(await files.json()).error.message).toMatch(
      /no branch gone of octocat\/Hello-World/,
    );
  });
});

describe('creating an app from GitHub', () => {
  test('stores the installation, the repository and its github.com clone URL', async () => {
    const response = await call(appsRoute.POST, {
      method: 'POST',
      path: '/apps',
      params: {},
      token: owner.token,
      body: {
        name: `gh-${owner.userId.slice(0, 8)}`,
        githubRepository: 'octocat/Hello-World',
        branch: 'master',
      },
    });
    expect(response.status).toBe(201);
    const created = createAppResponse.parse(await response.json());
    expect(created.repoUrl).toBe(`${world.api.url}/octocat/Hello-World.git`);
    expect(created.githubRepository).toBe('octocat/Hello-World');
    const [row] = await world.context.db.select().from(schema.apps).where(eq(schema.apps.id, created.id));
    expect(row).toMatchObject({ githubInstallationId: 1, githubRepoFullName: 'octocat/Hello-World' });
  });

  test('refuses a branch GitHub does not list, and a repository of an account not connected here', async () => {
    const missingBranch = await call(appsRoute.POST, {
      method: 'POST',
      path: '/apps',
      params: {},
      token: owner.token,
      body: { name: 'gh-missing-branch', githubRepository: 'octocat/Hello-World', branch: 'main' },
    });
    expect(missingBranch.status).toBe(400);
    expect(errorResponse.parse(await missingBranch.json()).error.fields?.branch).toBe(
      'octocat/Hello-World has no branch main.',
    );
    const foreign = await call(appsRoute.POST, {
      method: 'POST',
      path: '/apps',
      params: {},
      token: stranger.token,
      body: { name: 'gh-foreign', githubRepository: 'octocat/Hello-World', branch: 'master' },
    });
    expect(foreign.status).toBe(404);
    expect(errorResponse.parse(await foreign.json()).error.fields?.githubRepository).toMatch(
      /Connect GitHub for octocat/,
    );
  });
});
