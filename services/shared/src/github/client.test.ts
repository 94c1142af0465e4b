import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CoveError } from '../errors';
import {
  checkAppJwt,
  type FakeGitHubApi,
  loadGitHubFixture,
  startFakeGitHubApi,
} from '../testing/github-api';
import { GitHubClient } from './client';

const appId = '12345';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let api: FakeGitHubApi;
let client: GitHubClient;

beforeAll(async () => {
  api = await startFakeGitHubApi({ appId, publicKey });
  api.addInstallation(1);
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  client = new GitHubClient({ appId, privateKey, apiUrl: api.url });
});

async function caught(promise: Promise<unknown>): Promise<CoveError> {
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  if (!(error instanceof CoveError)) throw new Error(`expected a CoveError, got ${String(error)}`);
  return error;
}

describe('GitHubClient', () => {
  it('reads an installation with the App JWT and the API version headers', async () => {
    api.on('GET', '/app/installations/1', loadGitHubFixture('installation'));
    const installation = await client.getInstallation(1);
    expect(installation.account?.login).toBe('octocat');
    const [request] = api.requests;
    expect(checkAppJwt(request?.headers.authorization, appId, publicKey)).toBeNull();
    expect(request?.headers.accept).toBe('application/vnd.github+json');
    expect(request?.headers['x-github-api-version']).toBe('2022-11-28');
  });

  it('reuses an installation token until a minute before it expires', async () => {
    api.on('GET', '/installation/repositories', loadGitHubFixture('repositories-page-2'));
    await client.listRepositories(1);
    await client.listRepositories(1);
    const tokenRequests = api.requests.filter((request) => request.path.endsWith('/access_tokens'));
    expect(tokenRequests).toHaveLength(1);
    expect(api.requests.filter((request) => request.installationId === 1)).toHaveLength(2);

    // A token that expires within the minute of margin is not reused.
    api.addInstallation(2, 30);
    const first = await client.installationToken(2);
    expect((await client.installationToken(2)).token).not.toBe(first.token);
  });

  it('follows the Link header through every page of repositories', async () => {
    api.on('GET', '/installation/repositories', (request) =>
      loadGitHubFixture(request.query.get('page') === '2' ? 'repositories-page-2' : 'repositories-page-1'),
    );
    const repositories = await client.listRepositories(1);
    expect(repositories.map((repository) => repository.full_name)).toEqual([
      'octocat/Hello-World',
      'octocat/streamlit-dashboard',
    ]);
    const pages = api.requests.filter((request) => request.path === '/installation/repositories');
    expect(pages.map((request) => [request.query.get('per_page'), request.query.get('page')])).toEqual([
      ['100', null],
      ['100', '2'],
    ]);
  });

  it('lists every branch across pages', async () => {
    api.on('GET', '/repos/octocat/Hello-World/branches', (request) =>
      loadGitHubFixture(request.query.get('page') === '2' ? 'branches-page-2' : 'branches-page-1'),
    );
    expect(await client.listBranches(1, 'octocat/Hello-World')).toEqual(['master', 'feature/charts']);
  });

  it('lists the Python files of a branch, shallowest first, and says when the tree is cut short', async () => {
    const tree = loadGitHubFixture('tree');
    api.on('GET', '/repos/octocat/Hello-World/git/trees/master', tree);
    const files = await client.listPythonFiles(1, 'octocat/Hello-World', 'master');
    expect(files).toEqual({
      paths: ['streamlit_app.py', 'lib/helpers.py', 'pages/2_charts.py'],
      isTruncated: false,
    });
    expect(api.requests.at(-1)?.query.get('recursive')).toBe('1');

    const body = tree.body as Record<string, unknown>;
    api.on('GET', '/repos/octocat/Hello-World/git/trees/master', {
      ...tree,
      body: { ...body, truncated: true },
    });
    expect((await client.listPythonFiles(1, 'octocat/Hello-World', 'master')).isTruncated).toBe(true);
  });

  it('says the App credentials are wrong on a 401', async () => {
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const stranger = new GitHubClient({ appId, privateKey: wrongKey, apiUrl: api.url });
    const error = await caught(stranger.getInstallation(1));
    expect(error.code).toBe('github_unavailable');
    expect(error.message).toMatch(/refused the Cove GitHub App's credentials \(401\).*COVE_GITHUB_APP_ID/);
  });

  it('says when the rate limit resets, from x-ratelimit-reset', async () => {
    const recorded = loadGitHubFixture('error-403-rate-limited');
    const resetSeconds = Math.floor(Date.now() / 1000) + 800;
    api.on('GET', '/repos/octocat/Hello-World/branches', {
      ...recorded,
      headers: { ...recorded.headers, 'x-ratelimit-reset': String(resetSeconds) },
    });
    const error = await caught(client.listBranches(1, 'octocat/Hello-World'));
    expect(error.code).toBe('rate_limited');
    expect(error.message).toContain(`resets at ${new Date(resetSeconds * 1000).toISOString()}`);
    expect(error.details?.retryAfterSeconds).toBeGreaterThan(790);
    expect(error.details?.retryAfterSeconds).toBeLessThanOrEqual(800);
  });

  it('treats a secondary rate limit (429, Retry-After) as rate limited', async () => {
    api.on('GET', '/repos/octocat/Hello-World/branches', loadGitHubFixture('error-429-secondary-rate-limit'));
    const error = await caught(client.listBranches(1, 'octocat/Hello-World'));
    expect(error.code).toBe('rate_limited');
    expect(error.details?.retryAfterSeconds).toBe(60);
  });

  it('says "not found, or no access" on a 404 and "try again" on a 5xx', async () => {
    api.on('GET', '/repos/octocat/missing/git/trees/main', loadGitHubFixture('error-404'));
    const missing = await caught(client.listPythonFiles(1, 'octocat/missing', 'main'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toMatch(
      /no branch main of octocat\/missing, or the Cove GitHub App has no access/,
    );

    api.on('GET', '/repos/octocat/Hello-World/branches', loadGitHubFixture('error-503'));
    const down = await caught(client.listBranches(1, 'octocat/Hello-World'));
    expect(down.code).toBe('github_unavailable');
    expect(down.message).toMatch(/GitHub is having trouble \(503\).*Try again/);
  });

  it('does not send the token to another host named by a Link header', async () => {
    const page = loadGitHubFixture('repositories-page-1');
    api.on('GET', '/installation/repositories', {
      ...page,
      headers: { ...page.headers, link: '<http://127.0.0.2:1/installation/repositories?page=2>; rel="next"' },
    });
    expect(await client.listRepositories(1)).toHaveLength(1);
  });
});
