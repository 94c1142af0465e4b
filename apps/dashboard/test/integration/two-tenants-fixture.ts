// Tenants A and B for two-tenants.test.ts and two-tenants-proxy.test.ts: signed up through the API,
// their things made through the API (secrets, access list, visibility, invitation, webhook) and, for
// what only the builder writes (deployments that went live, their logs), through the shared code
// and the rows the builder writes, as the other dashboard tests do.
import { randomUUID } from 'node:crypto';
import { createInvitationResponse, listTokensResponse, webhookView } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { appendLogLines } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { call, createTestApp, dashboardOrigin, signUpWithToken } from './harness';
import type { Handler } from './route-handlers';
import type { TenantA, TenantB } from './two-tenants-attempts';

/** A tenant's credentials beside its things: its API token and its browser session cookie. */
export interface Credentials {
  token: string;
  cookie: string;
  userId: string;
  workspaceId: string;
}

export interface Tenants {
  a: TenantA & Credentials;
  b: TenantB & Credentials & { appId: string };
}

function handler(handlers: Map<string, Handler>, key: string): Handler {
  const found = handlers.get(key);
  if (!found) throw new Error(`${key} is not served`);
  return found;
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  expect(response.status, `${what}: ${text}`).toBeLessThan(300);
  return text === '' ? null : JSON.parse(text);
}

async function insertDeployment(
  context: TestContext,
  owner: { appId: string; workspaceId: string; appName: string },
  status: 'running' | 'superseded',
  commitSha: string,
) {
  const [row] = await context.db
    .insert(schema.deployments)
    .values({
      appId: owner.appId,
      workspaceId: owner.workspaceId,
      trigger: 'push',
      branch: 'main',
      commitSha,
      commitMessage: `version ${commitSha.slice(0, 7)}`,
      commitAuthor: 'A <a@example.com>',
      status,
      imageTag: `cove-${context.instance}/${owner.appId}:${commitSha}`,
      imageId: `sha256:${commitSha}${commitSha.slice(0, 24)}`,
      containerId: randomUUID(),
      hostPort: 1,
      startedAt: new Date(),
      finishedAt: new Date(),
    })
    .returning({ id: schema.deployments.id });
  if (!row) throw new Error('no deployment inserted');
  return row.id;
}

export async function makeTenantA(
  context: TestContext,
  handlers: Map<string, Handler>,
): Promise<Tenants['a']> {
  const account = await signUpWithToken();
  const app = await createTestApp(account.token, 'tenant-a');
  const [queued] = await context.db
    .select({ id: schema.deployments.id })
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.appId));
  if (!queued) throw new Error("A's app has no queued deployment");
  const owner = { appId: app.appId, workspaceId: account.workspaceId, appName: app.name };
  const earlierDeploymentId = await insertDeployment(context, owner, 'superseded', 'e'.repeat(40));
  const liveDeploymentId = await insertDeployment(context, owner, 'running', 'f'.repeat(40));
  await context.db
    .update(schema.apps)
    .set({ status: 'running', liveDeploymentId })
    .where(eq(schema.apps.id, app.appId));
  const buildLogLine = `a-build-log-${randomUUID()}`;
  const runtimeLogLine = `a-runtime-log-${randomUUID()}`;
  await appendLogLines(context.db, context.redis, context.instance, liveDeploymentId, 'build', [
    buildLogLine,
  ]);
  await appendLogLines(context.db, context.redis, context.instance, liveDeploymentId, 'runtime', [
    runtimeLogLine,
  ]);

  const asA = { token: account.token };
  const name = { name: app.name };
  const secretValue = `a-secret-${randomUUID()}`;
  await expectOk(
    await call(handler(handlers, 'PUT /apps/[name]/secrets'), {
      method: 'PUT',
      path: `/apps/${app.name}/secrets`,
      params: name,
      rawBody: `API_KEY = "${secretValue}"\n`,
      headers: { 'content-type': 'text/plain' },
      ...asA,
    }),
    "A's secrets",
  );
  const accessEmail = `a-guest-${randomUUID()}@example.com`;
  await expectOk(
    await call(handler(handlers, 'PUT /apps/[name]/access'), {
      method: 'PUT',
      path: `/apps/${app.name}/access`,
      params: name,
      body: { emails: [accessEmail] },
      ...asA,
    }),
    "A's access list",
  );
  await expectOk(
    await call(handler(handlers, 'PATCH /apps/[name]'), {
      method: 'PATCH',
      path: `/apps/${app.name}`,
      params: name,
      body: { visibility: 'private' },
      ...asA,
    }),
    "A's app made private",
  );
  const webhook = webhookView.parse(
    await expectOk(
      await call(handler(handlers, 'GET /apps/[name]/webhook'), {
        path: `/apps/${app.name}/webhook`,
        params: name,
        ...asA,
      }),
      "A's webhook",
    ),
  );
  const invitedEmail = `a-invitee-${randomUUID()}@example.com`;
  const invitation = createInvitationResponse.parse(
    await expectOk(
      await call(handler(handlers, 'POST /workspace/invitations'), {
        method: 'POST',
        path: '/workspace/invitations',
        params: {},
        body: { email: invitedEmail, role: 'developer' },
        ...asA,
      }),
      "A's invitation",
    ),
  );
  const invitationToken = new URL(invitation.link ?? '').pathname.split('/').at(-1) ?? '';
  const tokens = listTokensResponse.parse(
    await expectOk(
      await call(handler(handlers, 'GET /tokens'), {
        path: '/tokens',
        params: {},
        cookie: account.cookie,
        headers: { origin: dashboardOrigin },
      }),
      "A's tokens",
    ),
  );
  const [tokenRow] = tokens.tokens;
  if (!tokenRow || tokens.tokens.length !== 1) throw new Error('A should have exactly one token');
  return {
    ...account,
    appName: app.name,
    appId: app.appId,
    liveDeploymentId,
    earlierDeploymentId,
    queuedDeploymentId: queued.id,
    tokenId: tokenRow.id,
    invitationId: invitation.invitation.id,
    invitationToken,
    invitedEmail,
    accessEmail,
    webhookSecret: webhook.secret,
    secretValue,
    buildLogLine,
    runtimeLogLine,
  };
}

export async function makeTenantB(handlers: Map<string, Handler>): Promise<Tenants['b']> {
  const account = await signUpWithToken();
  const app = await createTestApp(account.token, 'tenant-b');
  const webhook = webhookView.parse(
    await expectOk(
      await call(handler(handlers, 'GET /apps/[name]/webhook'), {
        path: `/apps/${app.name}/webhook`,
        params: { name: app.name },
        token: account.token,
      }),
      "B's webhook",
    ),
  );
  return { ...account, appName: app.name, appId: app.appId, webhookSecret: webhook.secret };
}
