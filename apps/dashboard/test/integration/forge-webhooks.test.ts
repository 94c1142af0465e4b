// Push webhooks in GitLab's and Gitea's formats through the dashboard's webhook route, with the
// payloads of each forge's documentation (services/shared/src/webhooks/fixtures): recognised by
// their headers, checked with the app's secret their way (GitLab's token, Gitea's HMAC), and held
// to the rules GitHub's pushes are (the app's branch only, a delivery once, a commit once).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createAppResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import type { TestContext } from '@cove/shared/testing/context';
import { signGiteaPayload } from '@cove/shared/webhooks/forges';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as pushRoute from '../../app/api/v1/webhooks/[name]/route';
import { call, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;
beforeAll(async () => {
  context = await startDashboardContext();
});
afterAll(() => stopDashboardContext(context));

const fixtures = new URL('../../../../services/shared/src/webhooks/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');

interface ForgeCase {
  forge: string;
  body: string;
  branch: string;
  commit: string;
  /** The headers the forge sends with a delivery, signed with `secret`. */
  headers(secret: string, body: string, delivery: string): Record<string, string>;
  /** The same delivery with the wrong secret. */
  forged(body: string, delivery: string): Record<string, string>;
}

const cases: ForgeCase[] = [
  {
    forge: 'GitLab',
    body: fixture('gitlab-push.json'),
    branch: 'master',
    commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    headers: (secret, _body, delivery) => ({
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': secret,
      'x-gitlab-event-uuid': delivery,
    }),
    forged: (_body, delivery) => ({
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': 'a guessed secret',
      'x-gitlab-event-uuid': delivery,
    }),
  },
  {
    forge: 'Gitea',
    body: fixture('gitea-push.json'),
    branch: 'develop',
    commit: 'bffeb74224043ba2feb48d137756c8a9331c449a',
    // Gitea sends GitHub's headers too, X-Hub-Signature-256 included in newer versions.
    headers: (secret, body, delivery) => ({
      'x-gitea-event': 'push',
      'x-gitea-delivery': delivery,
      'x-gitea-signature': signGiteaPayload(secret, body),
      'x-github-event': 'push',
      'x-github-delivery': delivery,
    }),
    forged: (body, delivery) => ({
      'x-gitea-event': 'push',
      'x-gitea-delivery': delivery,
      'x-gitea-signature': signGiteaPayload('a guessed secret', body),
    }),
  },
];

async function appOn(branch: string) {
  const { token } = await signUpWithToken();
  const name = `forge-${randomUUID().slice(0, 8)}`;
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, repoUrl: 'http://127.0.0.1:9/repo.git', branch },
  });
  expect(created.status).toBe(201);
  const app = createAppResponse.parse(await created.json());
  return { name, appId: app.id, secret: app.webhook.secret };
}

function deliver(name: string, body: string, headers: Record<string, string>) {
  return call(pushRoute.POST, {
    method: 'POST',
    path: `/webhooks/${name}`,
    params: { name },
    rawBody: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function pushDeploymentsOf(appId: string) {
  const rows = await context.db.select().from(schema.deployments).where(eq(schema.deployments.appId, appId));
  return rows.filter((row) => row.trigger === 'push');
}

describe.each(cases)('$forge push webhooks', (forge) => {
  test('a push of the documented example deploys its head commit, once', async () => {
    const app = await appOn(forge.branch);
    const delivery = randomUUID();
    const accepted = await deliver(app.name, forge.body, forge.headers(app.secret, forge.body, delivery));
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({
      deploymentId: expect.any(String),
      message: `queued: ${forge.commit.slice(0, 7)} of ${forge.branch}`,
    });
    const [deployment] = await pushDeploymentsOf(app.appId);
    expect(deployment).toMatchObject({ commitSha: forge.commit, branch: forge.branch });

    // The same delivery again, and the same commit under a new delivery id: nothing new.
    const replayed = await deliver(app.name, forge.body, forge.headers(app.secret, forge.body, delivery));
    expect(replayed.status).toBe(409);
    const again = await deliver(app.name, forge.body, forge.headers(app.secret, forge.body, randomUUID()));
    expect(again.status).toBe(202);
    expect((await again.json()).message).toMatch(/was deployed before \(a replayed delivery\?\)/);
    expect(await pushDeploymentsOf(app.appId)).toHaveLength(1);
  });

  test('a wrong secret is a 401; another branch and a tag change nothing', async () => {
    const app = await appOn(forge.branch);
    const forged = await deliver(app.name, forge.body, forge.forged(forge.body, randomUUID()));
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.message).toMatch(
      forge.forge === 'GitLab' ? /X-Gitlab-Token header .* Secret token/ : /X-Gitea-Signature header/,
    );
    // A GitHub signature of the body does not pass for another forge's delivery.
    const githubSigned = await deliver(app.name, forge.body, {
      ...forge.forged(forge.body, randomUUID()),
      'x-hub-signature-256': signGitHubPayload(app.secret, forge.body),
    });
    expect(githubSigned.status).toBe(401);

    const otherBranch = forge.body.replace(`refs/heads/${forge.branch}`, 'refs/heads/feature');
    const ignored = await deliver(
      app.name,
      otherBranch,
      forge.headers(app.secret, otherBranch, randomUUID()),
    );
    expect(ignored.status).toBe(202);
    expect(await ignored.json()).toEqual({
      deploymentId: null,
      message: `ignored: this app deploys ${forge.branch}`,
    });
    const tag = forge.body.replace(`refs/heads/${forge.branch}`, 'refs/tags/v1.0.0');
    const tagged = await deliver(app.name, tag, forge.headers(app.secret, tag, randomUUID()));
    expect(tagged.status).toBe(400);
    expect(await pushDeploymentsOf(app.appId)).toHaveLength(0);
  });
});
