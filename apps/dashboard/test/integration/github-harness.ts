// A dashboard configured with a GitHub App whose API is the fake one (recorded answers), and the
// steps of connecting it as a person does: "Connect GitHub", then GitHub's setup redirect.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { TestContext } from '@cove/shared/testing/context';
import { type FakeGitHubApi, loadGitHubFixture, startFakeGitHubApi } from '@cove/shared/testing/github-api';
import { expect } from 'vitest';
import * as connectRoute from '../../app/api/v1/github/connect/route';
import * as setupRoute from '../../app/api/v1/github/setup/route';
import { call, startDashboardContext, stopDashboardContext } from './harness';

export const gitHubAppId = '424242';
export const gitHubWebhookSecret = randomBytes(24).toString('hex');

export interface GitHubDashboard {
  context: TestContext;
  api: FakeGitHubApi;
}

export async function startGitHubDashboard(): Promise<GitHubDashboard> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const oauthClient = { clientId: 'Iv1.8a61f9b3a7aba766', clientSecret: randomBytes(20).toString('hex') };
  const api = await startFakeGitHubApi({ appId: gitHubAppId, publicKey, oauthClient });
  const context = await startDashboardContext({
    COVE_GITHUB_APP_ID: gitHubAppId,
    COVE_GITHUB_APP_SLUG: 'cove-test',
    COVE_GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    COVE_GITHUB_WEBHOOK_SECRET: gitHubWebhookSecret,
    COVE_GITHUB_CLIENT_ID: oauthClient.clientId,
    COVE_GITHUB_CLIENT_SECRET: oauthClient.clientSecret,
    // One fake serves both GitHub's web side (install page, OAuth) and its API.
    COVE_GITHUB_API_URL: api.url,
    COVE_GITHUB_URL: api.url,
  });
  // Installation 1 is octocat's (the documented example); its repositories and branches.
  api.addInstallation(1);
  api.on('GET', '/app/installations/1', loadGitHubFixture('installation'));
  api.on('GET', '/installation/repositories', (request) =>
    loadGitHubFixture(request.query.get('page') === '2' ? 'repositories-page-2' : 'repositories-page-1'),
  );
  api.on('GET', '/repos/octocat/Hello-World/branches', (request) =>
    loadGitHubFixture(request.query.get('page') === '2' ? 'branches-page-2' : 'branches-page-1'),
  );
  api.on('GET', '/repos/octocat/Hello-World/git/trees/master', loadGitHubFixture('tree'));
  return { context, api };
}

export async function stopGitHubDashboard(world: GitHubDashboard | undefined): Promise<void> {
  await stopDashboardContext(world?.context);
  await world?.api.close();
}

/** "Connect GitHub": the state GitHub's install page is given. */
export async function startConnect(world: GitHubDashboard, cookie: string): Promise<string> {
  const response = await call(connectRoute.GET, { path: '/github/connect', params: {}, cookie });
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(`${world.api.url}/apps/cove-test/installations/new`);
  return location.searchParams.get('state') ?? '';
}

/**
 * GitHub's redirect after the installation and the person's authorization (with `code` when given);
 * returns where the dashboard sends the person.
 */
export async function finishSetup(
  cookie: string,
  installationId: number,
  state: string,
  code?: string,
): Promise<URL> {
  const query = new URLSearchParams({
    installation_id: String(installationId),
    setup_action: 'install',
    state,
    ...(code === undefined ? {} : { code }),
  });
  const response = await call(setupRoute.GET, { path: `/github/setup?${query}`, params: {}, cookie });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') ?? '');
}

/** Connects installation 1 as GitHub would for a person who manages it. */
export async function connectInstallation(world: GitHubDashboard, cookie: string): Promise<URL> {
  const code = `code-${randomBytes(6).toString('hex')}`;
  world.api.grantCode(code, [1]);
  return finishSetup(cookie, 1, await startConnect(world, cookie), code);
}
