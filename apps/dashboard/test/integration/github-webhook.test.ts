import { randomBytes, randomUUID } from 'node:crypto';
import { createAppResponse, errorResponse } from '@cove/shared/contracts/api';
import { gitHubWebhookResponse } from '@cove/shared/contracts/github';
import { schema } from '@cove/shared/db/client';
import { rateLimitKey } from '@cove/shared/limits/rate-limit';
import { loadGitHubFixture } from '@cove/shared/testing/github-api';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as webhookRoute from '../../app/api/v1/github/webhook/route';
import { rateLimits } from '../../lib/server/abuse-limits';
import {
  connectInstallation,
  finishSetup,
  type GitHubDashboard,
  gitHubWebhookSecret,
  startConnect,
  startGitHubDashboard,
  stopGitHubDashboard,
} from './github-harness';
import { call, signUpWithToken } from './harness';

let world: GitHubDashboard;
let appId: string;
let person: Awaited<ReturnType<typeof signUpWithToken>>;
const headSha = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

beforeAll(async () => {
  world = await startGitHubDashboard();
  person = await signUpWithToken();
  expect((await connectInstallation(world, person.cookie)).searchParams.get('github')).toBe('connected');
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token: person.token,
    body: {
      name: `ghw-${randomUUID().slice(0, 8)}`,
      githubRepository: 'octocat/Hello-World',
      branch: 'master',
    },
  });
  expect(created.status).toBe(201);
  appId = createAppResponse.parse(await created.json()).id;
});
afterAll(() => stopGitHubDashboard(world));

/** Each real push names a commit of its own. */
function newCommitSha(): string {
  return randomBytes(20).toString('hex');
}

/** A push event as the GitHub App's webhook delivers it (trimmed from GitHub's documented payload). */
function pushEvent(ref: string, installationId = 1, commitSha = headSha) {
  return {
    ref,
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: commitSha,
    created: false,
    deleted: false,
    forced: false,
    compare: 'https://github.com/octocat/Hello-World/compare/6113728f27ae...0d1a26e67d8f',
    head_commit: {
      id: commitSha,
      message: 'Update the charts',
      timestamp: '2026-11-23T12:00:00Z',
      author: { name: 'Monalisa Octocat', email: 'mona@github.com', username: 'monalisa' },
    },
    repository: {
      id: 1296269,
      name: 'Hello-World',
      full_name: 'octocat/Hello-World',
      private: false,
      clone_url: 'https://github.com/octocat/Hello-World.git',
      default_branch: 'master',
    },
    pusher: { name: 'monalisa', email: 'mona@github.com' },
    sender: { login: 'monalisa', id: 2, type: 'User' },
    installation: { id: installationId, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' },
  };
}

async function deliver(
  event: string,
  payload: unknown,
  options: { secret?: string; delivery?: string } = {},
) {
  const rawBody = JSON.stringify(payload);
  return call(webhookRoute.POST, {
    method: 'POST',
    path: '/github/webhook',
    params: {},
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': options.delivery ?? randomUUID(),
      'x-hub-signature-256': signGitHubPayload(options.secret ?? gitHubWebhookSecret, rawBody),
    },
  });
}

async function deploymentsOfApp() {
  return world.context.db.select().from(schema.deployments).where(eq(schema.deployments.appId, appId));
}

describe('the GitHub App webhook', () => {
  test('refuses a body not signed with the App webhook secret', async () => {
    const response = await deliver('push', pushEvent('refs/heads/master'), {
      secret: 'not-the-secret-at-all',
    });
    expect(response.status).toBe(401);
    expect(errorResponse.parse(await response.json()).error.code).toBe('invalid_signature');
    expect(await deploymentsOfApp()).toHaveLength(1);
  });

  test('answers a ping', async () => {
    const response = await deliver('ping', { zen: 'Design for failure.', hook_id: 1 });
    expect(response.status).toBe(200);
  });

  test('a push to the followed branch queues a deployment of that commit; a replay is refused', async () => {
    const delivery = randomUUID();
    const response = await deliver('push', pushEvent('refs/heads/master'), { delivery });
    expect(response.status).toBe(202);
    const body = gitHubWebhookResponse.parse(await response.json());
    expect(body.deploymentIds).toHaveLength(1);
    const [deployment] = await world.context.db
      .select()
      .from(schema.deployments)
      .where(eq(schema.deployments.id, body.deploymentIds[0] ?? ''));
    expect(deployment).toMatchObject({ appId, trigger: 'push', commitSha: headSha, status: 'queued' });
    expect(deployment?.commitAuthor).toBe('Monalisa Octocat <mona@github.com>');

    const replay = await deliver('push', pushEvent('refs/heads/master'), { delivery });
    expect(replay.status).toBe(409);
    expect(await deploymentsOfApp()).toHaveLength(2);
  });

  test('the same push under a new delivery id deploys nothing', async () => {
    const push = pushEvent('refs/heads/master', 1, newCommitSha());
    const first = await deliver('push', push);
    expect(gitHubWebhookResponse.parse(await first.json()).deploymentIds).toHaveLength(1);
    const before = await deploymentsOfApp();
    const replay = await deliver('push', push, { delivery: randomUUID() });
    expect(replay.status).toBe(202);
    expect(gitHubWebhookResponse.parse(await replay.json())).toEqual({
      deploymentIds: [],
      message: `ignored: a push of ${push.after.slice(0, 7)} was deployed before (a replayed delivery?); Redeploy or Make live puts a version back by hand`,
    });
    expect(await deploymentsOfApp()).toHaveLength(before.length);
  });

  test('ignores other branches and other installations', async () => {
    const before = await deploymentsOfApp();
    const otherBranch = await deliver('push', pushEvent('refs/heads/feature/charts'));
    expect(otherBranch.status).toBe(202);
    expect(gitHubWebhookResponse.parse(await otherBranch.json())).toEqual({
      deploymentIds: [],
      message: 'ignored: no app follows feature/charts of octocat/Hello-World',
    });
    const otherInstallation = await deliver('push', pushEvent('refs/heads/master', 99));
    expect(gitHubWebhookResponse.parse(await otherInstallation.json()).deploymentIds).toEqual([]);
    expect(await deploymentsOfApp()).toHaveLength(before.length);
  });

  test('an uninstalled App unlinks its installation', async () => {
    const response = await deliver('installation', {
      action: 'deleted',
      installation: { id: 1, account: { login: 'octocat', id: 1, type: 'User' } },
      sender: { login: 'octocat', id: 1, type: 'User' },
    });
    expect(response.status).toBe(202);
    expect(await world.context.db.select().from(schema.githubInstallations)).toEqual([]);
  });

  test('connecting the account again moves its apps to the new installation, whose pushes deploy them', async () => {
    const installation = loadGitHubFixture('installation');
    world.api.on('GET', '/app/installations/5', {
      ...installation,
      body: { ...z.record(z.string(), z.unknown()).parse(installation.body), id: 5 },
    });
    world.api.grantCode('code-reinstalled', [5]);
    const state = await startConnect(world, person.cookie);
    expect((await finishSetup(person.cookie, 5, state, 'code-reinstalled')).searchParams.get('github')).toBe(
      'connected',
    );
    const [app] = await world.context.db.select().from(schema.apps).where(eq(schema.apps.id, appId));
    expect(app?.githubInstallationId).toBe(5);
    const response = await deliver('push', pushEvent('refs/heads/master', 5, newCommitSha()));
    expect(gitHubWebhookResponse.parse(await response.json()).deploymentIds).toHaveLength(1);
  });

  test('deliveries are limited per installation, counted only once the signature is right', async () => {
    const rule = rateLimits.gitHubWebhookPerInstallation;
    expect(rule).toMatchObject({ limit: 600, windowSeconds: 60 });
    // As if installation 77 had sent its whole minute's share already.
    await world.context.redis.set(
      rateLimitKey(world.context.instance, rule, '77'),
      String(rule.limit),
      'EX',
      60,
    );
    const forged = await deliver('push', pushEvent('refs/heads/master', 77), {
      secret: 'not-the-secret-at-all',
    });
    expect(forged.status).toBe(401);
    const refused = await deliver('push', pushEvent('refs/heads/master', 77));
    expect(refused.status).toBe(429);
    expect(errorResponse.parse(await refused.json()).error.message).toMatch(
      /^Too many webhook deliveries for this GitHub App installation\. Try again in \d+ seconds?\.$/,
    );
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await deliver('push', pushEvent('refs/heads/master', 78))).status).toBe(202);
  });

  test('a push that would start an app beyond the running-apps limit is refused, and nothing is queued', async () => {
    const before = await deploymentsOfApp();
    const [app] = await world.context.db.select().from(schema.apps).where(eq(schema.apps.id, appId));
    if (!app) throw new Error('app missing');
    await world.context.db.update(schema.apps).set({ status: 'stopped' }).where(eq(schema.apps.id, appId));
    await world.context.db
      .update(schema.workspaces)
      .set({ maxRunningApps: 1 })
      .where(eq(schema.workspaces.id, app.workspaceId));
    await world.context.db.insert(schema.apps).values({
      workspaceId: app.workspaceId,
      name: `busy-${randomUUID().slice(0, 8)}`,
      repoUrl: 'http://127.0.0.1:9/repo.git',
      branch: 'main',
      mainFile: 'streamlit_app.py',
      webhookSecretCiphertext: 'unused',
      status: 'running',
    });
    const refused = await deliver('push', pushEvent('refs/heads/master', 5));
    expect(refused.status).toBe(403);
    expect(errorResponse.parse(await refused.json()).error).toEqual({
      code: 'limit_reached',
      message: `Cove cannot start ${app.name} for this push: this workspace already runs 1 of its 1 apps at once. Put an app to sleep or delete one, or ask the operator to raise the limit.`,
    });
    expect(await deploymentsOfApp()).toHaveLength(before.length);
    // Running, the same app redeploys on a push: that starts nothing new.
    await world.context.db.update(schema.apps).set({ status: 'running' }).where(eq(schema.apps.id, appId));
    const redeploy = await deliver('push', pushEvent('refs/heads/master', 5, newCommitSha()));
    expect(gitHubWebhookResponse.parse(await redeploy.json()).deploymentIds).toHaveLength(1);
  });
});
