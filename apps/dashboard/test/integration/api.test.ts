import { randomUUID } from 'node:crypto';
import { appView, createAppResponse, errorResponse, listAppsResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import type { TestContext } from '@cove/shared/testing/context';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import * as deploymentsRoute from '../../app/api/v1/apps/[name]/deployments/route';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as rotateRoute from '../../app/api/v1/apps/[name]/webhook/rotate/route';
import * as webhookRoute from '../../app/api/v1/apps/[name]/webhook/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as loginRoute from '../../app/api/v1/auth/login/route';
import * as signupRoute from '../../app/api/v1/auth/signup/route';
import * as openapiRoute from '../../app/api/v1/openapi.json/route';
import * as sessionRoute from '../../app/api/v1/session/route';
import * as tokensRoute from '../../app/api/v1/tokens/route';
import * as pushRoute from '../../app/api/v1/webhooks/[name]/route';
import { call, dashboardOrigin, reconfigure, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;
let builds: Queue;

beforeAll(async () => {
  context = await startDashboardContext();
  builds = new Queue(jobs.build.queue, { connection: context.redis, prefix: queuePrefix(context.instance) });
});
afterAll(async () => {
  await builds?.close();
  await stopDashboardContext(context);
});

const tokenBody = z.object({ token: z.string() });

/** Signs up through the API; returns the session cookie and an API token. */
async function newAccount(email = `${randomUUID()}@example.com`) {
  const signedUp = await call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email, password: 'a long enough password' },
    headers: { origin: dashboardOrigin },
  });
  expect(signedUp.status).toBe(201);
  const setCookie = signedUp.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^cove_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax/);
  const cookie = setCookie.split(';')[0] ?? '';
  const created = await call(tokensRoute.POST, {
    method: 'POST',
    path: '/tokens',
    params: {},
    cookie,
    headers: { origin: dashboardOrigin },
    body: { name: 'tests' },
  });
  expect(created.status).toBe(201);
  return { email, cookie, token: tokenBody.parse(await created.json()).token };
}

async function createApp(token: string, name: string, overrides: Record<string, string> = {}) {
  return call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: {
      name,
      repoUrl: 'http://127.0.0.1:9/repo.git',
      branch: 'main',
      mainFile: 'streamlit_app.py',
      ...overrides,
    },
  });
}

async function errorOf(response: Response) {
  return errorResponse.parse(await response.json()).error;
}

describe('accounts', () => {
  test('over HTTPS (through the proxy) the session cookie is __Host- prefixed, and only that one counts', async () => {
    const email = `${randomUUID()}@example.com`;
    const httpsHeaders = {
      origin: 'https://localhost:4443',
      host: 'localhost:4443',
      'x-forwarded-proto': 'https',
    };
    const signedUp = await call(signupRoute.POST, {
      method: 'POST',
      path: '/auth/signup',
      params: {},
      body: { email, password: 'a long enough password' },
      headers: httpsHeaders,
    });
    expect(signedUp.status).toBe(201);
    const setCookie = signedUp.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^__Host-cove_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; .*; Secure$/);
    const token = (setCookie.split(';')[0] ?? '').split('=')[1] ?? '';
    const overHttps = await call(sessionRoute.GET, {
      path: '/session',
      params: {},
      cookie: `__Host-cove_session=${token}`,
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(await overHttps.json()).toMatchObject({ user: { email } });
    // A cookie without the prefix (which a sibling host could have planted) is not a session over HTTPS.
    const planted = await call(sessionRoute.GET, {
      path: '/session',
      params: {},
      cookie: `cove_session=${token}`,
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(planted.status).toBe(401);
  });

  test('sign up, then sign in with the same password; a verified email is taken', async () => {
    const account = await newAccount();
    const session = await call(sessionRoute.GET, { path: '/session', params: {}, cookie: account.cookie });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { email: account.email, isEmailVerified: false } });
    // Unverified, the address reserves nothing (email-verification.test.ts); verified, it is taken.
    await context.db
      .update(schema.users)
      .set({ emailVerifiedAt: new Date() })
      .where(eq(schema.users.email, account.email));

    const again = await call(signupRoute.POST, {
      method: 'POST',
      path: '/auth/signup',
      params: {},
      body: { email: account.email.toUpperCase(), password: 'another long password' },
    });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toBe(
      'An account with this email already exists. Sign in instead.',
    );

    const wrong = await call(loginRoute.POST, {
      method: 'POST',
      path: '/auth/login',
      params: {},
      body: { email: account.email, password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    const right = await call(loginRoute.POST, {
      method: 'POST',
      path: '/auth/login',
      params: {},
      body: { email: account.email, password: 'a long enough password' },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get('set-cookie')).toContain('cove_session=');
  });

  test('a short password is refused with a field message', async () => {
    const response = await call(signupRoute.POST, {
      method: 'POST',
      path: '/auth/signup',
      params: {},
      body: { email: 'short@example.com', password: 'short' },
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).fields).toEqual({
      password: 'Use at least 10 characters for the password.',
    });
  });

  test('a cookie-authenticated write from another origin is refused', async () => {
    const account = await newAccount();
    const response = await call(appsRoute.POST, {
      method: 'POST',
      path: '/apps',
      params: {},
      cookie: account.cookie,
      headers: { origin: 'http://evil.example' },
      body: { name: `csrf-${randomUUID().slice(0, 8)}`, repoUrl: 'http://127.0.0.1:9/r.git' },
    });
    expect(response.status).toBe(403);
    const reads = await call(appsRoute.GET, { path: '/apps', params: {}, cookie: account.cookie });
    expect(listAppsResponse.parse(await reads.json()).apps).toEqual([]);
  });
});

describe('apps', () => {
  test('creating an app answers 201 with its address and webhook, and queues its build', async () => {
    const { token } = await newAccount();
    const name = `hello-${randomUUID().slice(0, 8)}`;
    const response = await createApp(token, name);
    expect(response.status).toBe(201);
    const created = createAppResponse.parse(await response.json());
    expect(created.url).toBe(`http://${name}.localhost/`);
    expect(created.status).toBe('queued');
    expect(created.webhook.url).toBe(`${dashboardOrigin}/api/v1/webhooks/${name}`);
    expect(created.webhook.secret.length).toBeGreaterThanOrEqual(32);
    const deploymentId = created.latestDeployment?.id ?? '';
    expect(created.latestDeployment).toMatchObject({ status: 'queued', trigger: 'create', commit: null });
    expect(await builds.getJob(jobs.build.jobId({ deploymentId }))).toBeDefined();

    // The secret is stored encrypted, never in the clear.
    const [row] = await context.db.select().from(schema.apps).where(eq(schema.apps.name, name));
    expect(row?.webhookSecretCiphertext).not.toContain(created.webhook.secret);

    const read = await call(appRoute.GET, { path: `/apps/${name}`, params: { name }, token });
    expect(appView.parse(await read.json())).toMatchObject({ name, currentDeployment: null, branch: 'main' });
    const webhook = await call(webhookRoute.GET, { path: `/apps/${name}/webhook`, params: { name }, token });
    expect(await webhook.json()).toEqual(created.webhook);
    const listed = await call(appsRoute.GET, { path: '/apps', params: {}, token });
    expect(listAppsResponse.parse(await listed.json()).apps.map((app) => app.name)).toEqual([name]);
  });

  test('a taken name is a 409 naming the field, also across workspaces', async () => {
    const first = await newAccount();
    const second = await newAccount();
    const name = `taken-${randomUUID().slice(0, 8)}`;
    expect((await createApp(first.token, name)).status).toBe(201);
    const response = await createApp(second.token, name);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).fields).toEqual({ name: `The name ${name} is taken; choose another.` });
  });

  test('invalid input is a 400 with a message per field', async () => {
    const { token } = await newAccount();
    const response = await createApp(token, 'Bad Name!', { mainFile: 'app.txt' });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['mainFile', 'name']);
  });

  test('deleting an app frees its name and removes its deployments', async () => {
    const { token } = await newAccount();
    const name = `gone-${randomUUID().slice(0, 8)}`;
    expect((await createApp(token, name)).status).toBe(201);
    const deleted = await call(appRoute.DELETE, {
      method: 'DELETE',
      path: `/apps/${name}`,
      params: { name },
      token,
    });
    expect(deleted.status).toBe(200);
    expect((await call(appRoute.GET, { path: `/apps/${name}`, params: { name }, token })).status).toBe(404);
    expect((await createApp(token, name)).status).toBe(201);
  });

  test('a redeploy queues a new deployment of the branch head', async () => {
    const { token } = await newAccount();
    const name = `again-${randomUUID().slice(0, 8)}`;
    await createApp(token, name);
    const response = await call(deploymentsRoute.POST, {
      method: 'POST',
      path: `/apps/${name}/deployments`,
      params: { name },
      token,
    });
    expect(response.status).toBe(202);
    const listed = await call(deploymentsRoute.GET, {
      path: `/apps/${name}/deployments`,
      params: { name },
      token,
    });
    const body = z
      .object({ deployments: z.array(z.object({ trigger: z.string() })) })
      .parse(await listed.json());
    expect(body.deployments.map((deployment) => deployment.trigger)).toEqual(['manual', 'create']);
  });
});

describe('refusals', () => {
  test('no token is a 401; a bad token is a 401', async () => {
    expect((await call(appsRoute.GET, { path: '/apps', params: {} })).status).toBe(401);
    const bad = await call(appsRoute.GET, { path: '/apps', params: {}, token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect((await errorOf(bad)).message).toMatch(/not valid/);
  });

  test("another workspace's token sees nothing of the app and cannot change it", async () => {
    const owner = await newAccount();
    const stranger = await newAccount();
    const name = `mine-${randomUUID().slice(0, 8)}`;
    await createApp(owner.token, name);
    for (const [handler, method] of [
      [appRoute.GET, 'GET'],
      [appRoute.DELETE, 'DELETE'],
      [webhookRoute.GET, 'GET'],
      [deploymentsRoute.GET, 'GET'],
      [deploymentsRoute.POST, 'POST'],
    ] as const) {
      const response = await call(handler, {
        method,
        path: `/apps/${name}`,
        params: { name },
        token: stranger.token,
      });
      expect(response.status).toBe(404);
      expect(JSON.stringify(await response.json())).not.toContain(owner.email);
    }
    const listed = await call(appsRoute.GET, { path: '/apps', params: {}, token: stranger.token });
    expect(listAppsResponse.parse(await listed.json()).apps).toEqual([]);
    expect(
      (await call(appRoute.GET, { path: `/apps/${name}`, params: { name }, token: owner.token })).status,
    ).toBe(200);
  });

  test('unsafe repository URLs are refused with a clear message when private addresses are not allowed', async () => {
    const { token } = await newAccount();
    await reconfigure({ COVE_GIT_ALLOW_PRIVATE_ADDRESSES: 'false', COVE_GIT_ALLOWED_SCHEMES: 'https,git' });
    try {
      const fileUrl = await createApp(token, `file-${randomUUID().slice(0, 8)}`, {
        repoUrl: 'file:///etc/passwd',
      });
      expect(fileUrl.status).toBe(422);
      expect((await errorOf(fileUrl)).fields?.repoUrl).toMatch(/file:\/\/ URLs are not allowed/);
      const loopback = await createApp(token, `loop-${randomUUID().slice(0, 8)}`, {
        repoUrl: 'https://127.0.0.1/repo.git',
      });
      expect(loopback.status).toBe(422);
      expect((await errorOf(loopback)).message).toMatch(/private or local address \(127\.0\.0\.1\)/);
      const plainHttp = await createApp(token, `http-${randomUUID().slice(0, 8)}`, {
        repoUrl: 'http://127.0.0.1/repo.git',
      });
      expect(plainHttp.status).toBe(422);
      expect(await context.db.select().from(schema.apps)).not.toContainEqual(
        expect.objectContaining({ repoUrl: 'file:///etc/passwd' }),
      );
    } finally {
      await reconfigure({
        COVE_GIT_ALLOW_PRIVATE_ADDRESSES: 'true',
        COVE_GIT_ALLOWED_SCHEMES: 'https,http,git',
      });
    }
  });
});

describe('push webhooks', () => {
  const sha = 'a'.repeat(40);

  function pushBody(branch: string, commit = sha) {
    return JSON.stringify({
      ref: `refs/heads/${branch}`,
      before: '0'.repeat(40),
      after: commit,
      head_commit: {
        id: commit,
        message: 'Make it better',
        author: { name: 'Ada', email: 'ada@example.com' },
      },
    });
  }

  async function deliver(name: string, body: string, secret: string, headers: Record<string, string> = {}) {
    return call(pushRoute.POST, {
      method: 'POST',
      path: `/webhooks/${name}`,
      params: { name },
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signGitHubPayload(secret, body),
        ...headers,
      },
    });
  }

  async function appWithWebhook() {
    const { token } = await newAccount();
    const name = `hook-${randomUUID().slice(0, 8)}`;
    const created = createAppResponse.parse(await (await createApp(token, name)).json());
    return { name, secret: created.webhook.secret, appId: created.id, token };
  }

  async function deploymentsOf(appId: string) {
    return context.db.select().from(schema.deployments).where(eq(schema.deployments.appId, appId));
  }

  test('a bad or missing signature is a 401 and changes nothing', async () => {
    const { name, appId } = await appWithWebhook();
    const bad = await deliver(name, pushBody('main'), 'the wrong secret');
    expect(bad.status).toBe(401);
    const missing = await deliver(name, pushBody('main'), 'x', { 'x-hub-signature-256': '' });
    expect(missing.status).toBe(401);
    expect(await deploymentsOf(appId)).toHaveLength(1);
  });

  test('a replaced secret is refused at once; the new one deploys, and the replacement is audited', async () => {
    const { name, secret, appId, token } = await appWithWebhook();
    const rotated = await call(rotateRoute.POST, {
      method: 'POST',
      path: `/apps/${name}/webhook/rotate`,
      params: { name },
      token,
    });
    expect(rotated.status).toBe(200);
    const { secret: newSecret } = z.object({ secret: z.string() }).parse(await rotated.json());
    expect(newSecret).not.toBe(secret);
    expect((await deliver(name, pushBody('main'), secret)).status).toBe(401);
    expect((await deliver(name, pushBody('main'), newSecret)).status).toBe(202);
    const read = await call(webhookRoute.GET, { path: `/apps/${name}/webhook`, params: { name }, token });
    expect((await read.json()).secret).toBe(newSecret);
    const audit = await context.db
      .select({ action: schema.auditLog.action })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.appId, appId));
    expect(audit.map((entry) => entry.action)).toEqual(['webhook.rotate']);
  });

  test('an unknown app is a 404', async () => {
    expect((await deliver('no-such-app', pushBody('main'), 'secret')).status).toBe(404);
  });

  test('a push to another branch is accepted and ignored', async () => {
    const { name, secret, appId } = await appWithWebhook();
    const response = await deliver(name, pushBody('feature'), secret);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ deploymentId: null, message: 'ignored: this app deploys main' });
    expect(await deploymentsOf(appId)).toHaveLength(1);
  });

  test('a ping is answered 200', async () => {
    const { name, secret } = await appWithWebhook();
    expect(
      (await deliver(name, '{"zen":"Keep it simple."}', secret, { 'x-github-event': 'ping' })).status,
    ).toBe(200);
  });

  test('a malformed body is a 400', async () => {
    const { name, secret, appId } = await appWithWebhook();
    const response = await deliver(name, '{"ref": 42}', secret);
    expect(response.status).toBe(400);
    expect(await deploymentsOf(appId)).toHaveLength(1);
  });

  test('a push to the branch queues a deployment of that commit; a replay is a 409', async () => {
    const { name, secret, appId } = await appWithWebhook();
    const delivery = randomUUID();
    const body = pushBody('main');
    const response = await deliver(name, body, secret, { 'x-github-delivery': delivery });
    expect(response.status).toBe(202);
    const accepted = z.object({ deploymentId: z.uuid() }).parse(await response.json());
    const [deployment] = await context.db
      .select()
      .from(schema.deployments)
      .where(eq(schema.deployments.id, accepted.deploymentId));
    expect(deployment).toMatchObject({
      appId,
      status: 'queued',
      trigger: 'push',
      commitSha: sha,
      commitMessage: 'Make it better',
      commitAuthor: 'Ada <ada@example.com>',
    });
    expect(await builds.getJob(jobs.build.jobId({ deploymentId: accepted.deploymentId }))).toBeDefined();

    const replay = await deliver(name, body, secret, { 'x-github-delivery': delivery });
    expect(replay.status).toBe(409);
    expect(await deploymentsOf(appId)).toHaveLength(2);
  });

  test('the same push under a new delivery id does not deploy its commit again; a new commit does', async () => {
    const { name, secret, appId } = await appWithWebhook();
    const body = pushBody('main');
    expect((await deliver(name, body, secret)).status).toBe(202);
    expect(await deploymentsOf(appId)).toHaveLength(2);

    // X-GitHub-Delivery is not signed: a captured delivery can be sent again under any id.
    const replay = await deliver(name, body, secret, { 'x-github-delivery': randomUUID() });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({
      deploymentId: null,
      message:
        'ignored: a push of aaaaaaa was deployed before (a replayed delivery?); Redeploy or Make live puts a version back by hand',
    });
    expect(await deploymentsOf(appId)).toHaveLength(2);

    const next = await deliver(name, pushBody('main', 'b'.repeat(40)), secret);
    expect(next.status).toBe(202);
    expect(z.object({ deploymentId: z.uuid() }).parse(await next.json())).toBeDefined();
    // Copies of one push sent at once: only one deploys.
    const copies = await Promise.all(
      [1, 2, 3].map(() => deliver(name, pushBody('main', 'c'.repeat(40)), secret)),
    );
    expect(copies.map((response) => response.status)).toEqual([202, 202, 202]);
    const rows = await deploymentsOf(appId);
    // The app's first deployment, from its creation, builds the branch head (no commit yet).
    expect(rows.map((row) => row.commitSha ?? 'branch head').sort()).toEqual([
      sha,
      'b'.repeat(40),
      'branch head',
      'c'.repeat(40),
    ]);
  });
});

test('openapi.json lists the paths of the API', async () => {
  const response = openapiRoute.GET();
  const document = z
    .object({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) })
    .parse(await response.json());
  expect(document.openapi).toBe('3.1.0');
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining([
      '/api/v1/apps',
      '/api/v1/apps/{name}',
      '/api/v1/apps/{name}/deployments',
      '/api/v1/apps/{name}/deployments/{id}/logs',
      '/api/v1/webhooks/{name}',
    ]),
  );
});
