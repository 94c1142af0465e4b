// Pull request previews through the dashboard's webhook route, in each forge's format (GitHub's
// pull_request, GitLab's Merge Request Hook, Gitea's pull_request), with bodies holding the fields
// of each forge's documented examples that Cove reads. No builder runs here: the preview app, its
// queued deployment of the head commit and its secrets are what a caller can observe.
import { randomUUID } from 'node:crypto';
import { appView, createAppResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { findAppSecretsRow } from '@cove/shared/secrets/app-secrets';
import type { TestContext } from '@cove/shared/testing/context';
import { signGiteaPayload } from '@cove/shared/webhooks/forges';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as secretsRoute from '../../app/api/v1/apps/[name]/secrets/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as pushRoute from '../../app/api/v1/webhooks/[name]/route';
import { call, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;
beforeAll(async () => {
  context = await startDashboardContext({ COVE_PREVIEWS_PER_APP: '2' });
});
afterAll(() => stopDashboardContext(context));

const sha = (digit: string) => digit.repeat(40);
const headRepo = 'http://127.0.0.1:9/fork.git';

interface Forge {
  name: string;
  /** A pull request event body: `action` in the forge's own words. */
  body(number: number, action: string, head: string): string;
  headers(secret: string, body: string): Record<string, string>;
  actions: { open: string; push: string; close: string };
}

const forges: Forge[] = [
  {
    name: 'GitHub',
    // GitHub's pull_request event: action, number, pull_request.head/base (ref, sha, repo).
    body: (number, action, head) =>
      JSON.stringify({
        action,
        number,
        pull_request: {
          number,
          state: action === 'closed' ? 'closed' : 'open',
          title: 'Update the README with new information.',
          user: { login: 'Codertocat' },
          head: { label: 'Codertocat:changes', ref: 'changes', sha: head, repo: { clone_url: headRepo } },
          base: { label: 'Codertocat:main', ref: 'main', sha: sha('0'), repo: { clone_url: headRepo } },
          merged: false,
        },
      }),
    headers: (secret, body) => ({
      'x-github-event': 'pull_request',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signGitHubPayload(secret, body),
    }),
    actions: { open: 'opened', push: 'synchronize', close: 'closed' },
  },
  {
    name: 'GitLab',
    // GitLab's Merge Request Hook: object_attributes (iid, action, source/target branch, last_commit, source).
    body: (number, action, head) =>
      JSON.stringify({
        object_kind: 'merge_request',
        event_type: 'merge_request',
        user: { id: 1, name: 'Administrator', username: 'root' },
        object_attributes: {
          iid: number,
          title: 'MS-Viewport',
          action,
          state: action === 'close' ? 'closed' : 'opened',
          source_branch: 'ms-viewport',
          target_branch: 'main',
          last_commit: { id: head, message: 'fixed readme', author: { name: 'GitLab dev user' } },
          source: { git_http_url: headRepo },
          target: { git_http_url: headRepo },
        },
      }),
    headers: (secret) => ({
      'x-gitlab-event': 'Merge Request Hook',
      'x-gitlab-token': secret,
      'x-gitlab-event-uuid': randomUUID(),
    }),
    actions: { open: 'open', push: 'update', close: 'merge' },
  },
  {
    name: 'Gitea',
    // Gitea's pull_request event: GitHub's shape ("synchronized" for a push to the head).
    body: (number, action, head) =>
      JSON.stringify({
        action,
        number,
        pull_request: {
          number,
          title: 'Webhooks Yay!',
          user: { login: 'gitea' },
          head: { label: 'feature', ref: 'feature', sha: head, repo: { clone_url: headRepo } },
          base: { label: 'main', ref: 'main', sha: sha('0'), repo: { clone_url: headRepo } },
        },
      }),
    headers: (secret, body) => ({
      'x-gitea-event': 'pull_request',
      'x-gitea-delivery': randomUUID(),
      'x-gitea-signature': signGiteaPayload(secret, body),
    }),
    actions: { open: 'opened', push: 'synchronized', close: 'closed' },
  },
];

async function appWithPreviews(settings: Record<string, boolean> = { previewsEnabled: true }) {
  const { token } = await signUpWithToken();
  const name = `pr-${randomUUID().slice(0, 8)}`;
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, repoUrl: 'http://127.0.0.1:9/repo.git', branch: 'main' },
  });
  const app = createAppResponse.parse(await created.json());
  const patched = await call(appRoute.PATCH, {
    method: 'PATCH',
    path: `/apps/${name}`,
    params: { name },
    token,
    body: settings,
  });
  expect(patched.status).toBe(200);
  const secrets = await call(secretsRoute.PUT, {
    method: 'PUT',
    path: `/apps/${name}/secrets`,
    params: { name },
    token,
    rawBody: 'API_KEY = "not for pull requests"\n',
    headers: { 'content-type': 'text/plain' },
  });
  expect(secrets.status).toBe(200);
  return {
    name,
    token,
    appId: app.id,
    workspaceId: app.id && (await workspaceOf(app.id)),
    secret: app.webhook.secret,
  };
}

async function workspaceOf(appId: string): Promise<string> {
  const [row] = await context.db.select().from(schema.apps).where(eq(schema.apps.id, appId));
  return row?.workspaceId ?? '';
}

async function previewRow(appId: string, number: number) {
  const [row] = await context.db
    .select()
    .from(schema.apps)
    .where(and(eq(schema.apps.previewOfAppId, appId), eq(schema.apps.previewNumber, number)));
  return row;
}

function deliver(
  forge: Forge,
  appName: string,
  secret: string,
  number: number,
  action: string,
  head: string,
) {
  const body = forge.body(number, action, head);
  return call(pushRoute.POST, {
    method: 'POST',
    path: `/webhooks/${appName}`,
    params: { name: appName },
    rawBody: body,
    headers: { 'content-type': 'application/json', ...forge.headers(secret, body) },
  });
}

describe.each(forges)('$name pull requests', (forge) => {
  test('opened deploys <app>--pr-<n> from the head without secrets; a push updates it; closing removes it', async () => {
    const app = await appWithPreviews();
    const opened = await deliver(forge, app.name, app.secret, 7, forge.actions.open, sha('1'));
    expect(opened.status).toBe(202);
    expect((await opened.json()).message).toBe(`queued: preview ${app.name}--pr-7 at 1111111`);
    const preview = await previewRow(app.appId, 7);
    expect(preview).toMatchObject({
      name: `${app.name}--pr-7`,
      repoUrl: headRepo,
      workspaceId: app.workspaceId,
    });
    expect(
      await findAppSecretsRow(context.db, { workspaceId: app.workspaceId, appId: preview?.id ?? '' }),
    ).toBeNull();
    const deploymentsOf = () =>
      context.db
        .select()
        .from(schema.deployments)
        .where(eq(schema.deployments.appId, preview?.id ?? ''));
    expect((await deploymentsOf()).map((row) => row.commitSha)).toEqual([sha('1')]);

    // The app page lists it; the preview says what it previews.
    const view = appView.parse(
      await (
        await call(appRoute.GET, { path: `/apps/${app.name}`, params: { name: app.name }, token: app.token })
      ).json(),
    );
    expect(view.previews.open).toEqual([
      { number: 7, name: `${app.name}--pr-7`, url: `http://${app.name}--pr-7.localhost/`, status: 'queued' },
    ]);
    const previewView = appView.parse(
      await (
        await call(appRoute.GET, {
          path: `/apps/${preview?.name}`,
          params: { name: preview?.name ?? '' },
          token: app.token,
        })
      ).json(),
    );
    expect(previewView.previewOf).toEqual({ app: app.name, number: 7 });

    const pushed = await deliver(forge, app.name, app.secret, 7, forge.actions.push, sha('2'));
    expect(pushed.status).toBe(202);
    const same = await deliver(forge, app.name, app.secret, 7, forge.actions.push, sha('2'));
    expect((await same.json()).message).toMatch(/is already the preview's/);
    expect((await deploymentsOf()).map((row) => row.commitSha).sort()).toEqual([sha('1'), sha('2')]);

    const closed = await deliver(forge, app.name, app.secret, 7, forge.actions.close, sha('2'));
    expect(closed.status).toBe(202);
    expect((await closed.json()).message).toBe(`removed: preview ${app.name}--pr-7`);
    expect(await previewRow(app.appId, 7)).toBeUndefined();
  });
});

test('previews are off unless turned on; a forged delivery is refused', async () => {
  const [github] = forges;
  if (!github) throw new Error('no forge');
  const app = await appWithPreviews({ previewsEnabled: false });
  const off = await deliver(github, app.name, app.secret, 1, 'opened', sha('3'));
  expect(await off.json()).toEqual({
    deploymentId: null,
    message: `ignored: previews are off for ${app.name} (turn them on in its settings)`,
  });
  const forged = await deliver(github, app.name, 'a guessed secret', 1, 'opened', sha('3'));
  expect(forged.status).toBe(401);
  expect(await previewRow(app.appId, 1)).toBeUndefined();
});

test('past the limit the oldest preview goes; the app may share its secrets; names of previews are kept', async () => {
  const [github] = forges;
  if (!github) throw new Error('no forge');
  const app = await appWithPreviews({ previewsEnabled: true, previewSecrets: true });
  for (const number of [1, 2])
    await deliver(github, app.name, app.secret, number, 'opened', sha(String(number)));
  const third = await deliver(github, app.name, app.secret, 3, 'opened', sha('3'));
  expect((await third.json()).message).toBe(
    `queued: preview ${app.name}--pr-3 at 3333333; removed the oldest preview ${app.name}--pr-1`,
  );
  expect(await previewRow(app.appId, 1)).toBeUndefined();
  const kept = await previewRow(app.appId, 3);
  const secrets = await findAppSecretsRow(context.db, {
    workspaceId: app.workspaceId,
    appId: kept?.id ?? '',
  });
  expect(secrets?.keyNames).toEqual(['API_KEY']);

  const squatted = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token: app.token,
    body: { name: 'other--pr-5', repoUrl: 'http://127.0.0.1:9/repo.git' },
  });
  expect(squatted.status).toBe(400);
  expect(JSON.stringify(await squatted.json())).toContain('kept for pull request previews');

  // Deleting the app deletes its previews.
  const deleted = await call(appRoute.DELETE, {
    method: 'DELETE',
    path: `/apps/${app.name}`,
    params: { name: app.name },
    token: app.token,
  });
  expect(deleted.status).toBe(200);
  expect(await previewRow(app.appId, 3)).toBeUndefined();
});
