// Two tenants, A and B, each signed up with their own workspace. A has an app with deployments, logs,
// secrets, a webhook, an access list, an invitation and an API token. B, with its API token and with
// its browser session, tries every route of the API's route table against A's things
// (two-tenants-attempts.ts): each is refused, no answer shows anything of A's, and A's things are as
// they were. two-tenants-proxy.test.ts does the same through the proxy.
// No builder runs: rows are written as the builder would, what callers observe is what is checked.
import { listAuditEntries } from '@cove/shared/audit/audit-log';
import {
  appAccessView,
  appView,
  listDeploymentsResponse,
  listInvitationsResponse,
  listMembersResponse,
  listTokensResponse,
  revealedSecrets,
  webhookView,
} from '@cove/shared/contracts/api';
import { apiRoutes } from '@cove/shared/contracts/routes';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import type { TestContext } from '@cove/shared/testing/context';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, dashboardOrigin, startDashboardContext, stopDashboardContext } from './harness';
import { diskKeyOf, type Handler, routesOnDisk } from './route-handlers';
import { type Attempt, crossTenantAttempts, type Outcome, type TenantA } from './two-tenants-attempts';
import { makeTenantA, makeTenantB, type Tenants } from './two-tenants-fixture';

let context: TestContext;
let handlers: Map<string, Handler>;
let tenants: Tenants;
let queues: Queue[];

beforeAll(async () => {
  context = await startDashboardContext();
  handlers = await routesOnDisk();
  const a = await makeTenantA(context, handlers);
  const b = await makeTenantB(handlers);
  tenants = { a, b };
  queues = [jobs.build.queue, jobs.appOperation.queue].map(
    (name) => new Queue(name, { connection: context.redis, prefix: queuePrefix(context.instance) }),
  );
});
afterAll(async () => {
  for (const queue of queues ?? []) await queue.close();
  await stopDashboardContext(context);
});

function handlerFor(routeKey: string): { method: string; handler: Handler } {
  const route = apiRoutes.find(
    (candidate) => `${candidate.method.toUpperCase()} ${candidate.path}` === routeKey,
  );
  if (!route) throw new Error(`${routeKey} is not in the route table`);
  const handler = handlers.get(diskKeyOf(route));
  if (!handler) throw new Error(`${routeKey} is not served`);
  return { method: route.method.toUpperCase(), handler };
}

type Credential = 'token' | 'session';

function outcomeFor(attempt: Attempt, credential: Credential): Outcome {
  const outcome = attempt.outcome ?? 404;
  return typeof outcome === 'object' ? outcome[credential] : outcome;
}

/** The answer's text, or a note that it did not end (a log stream that was let through). */
async function textOf(response: Response): Promise<string> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('<answer did not end>'), 5_000));
  return Promise.race([response.text(), timeout]);
}

/** What of A's an answer shows that B did not send itself (a not-found may repeat the name asked for). */
function leaksOf(text: string, attempt: Attempt, a: TenantA): string[] {
  const sent = `${attempt.path} ${attempt.rawBody ?? ''} ${JSON.stringify(attempt.body ?? null)}`;
  const markers = [
    a.appName,
    a.appId,
    a.workspaceId,
    a.userId,
    a.email,
    a.liveDeploymentId,
    a.earlierDeploymentId,
    a.queuedDeploymentId,
    a.tokenId,
    a.token,
    a.invitationId,
    a.invitationToken,
    a.invitedEmail,
    a.accessEmail,
    a.webhookSecret,
    a.secretValue,
    a.buildLogLine,
    a.runtimeLogLine,
  ];
  const allowed = attempt.mayShow ?? [];
  return markers.filter(
    (marker) => text.includes(marker) && !sent.includes(marker) && !allowed.includes(marker),
  );
}

async function asB(routeKey: string, attempt: Attempt, credential: Credential, b: Tenants['b']) {
  const { method, handler } = handlerFor(routeKey);
  const response = await call(handler, {
    method,
    path: attempt.path,
    params: attempt.params,
    ...(attempt.body === undefined ? {} : { body: attempt.body }),
    ...(attempt.rawBody === undefined ? {} : { rawBody: attempt.rawBody }),
    // B's browser sends its Origin, as the dashboard's own pages do: the refusal is not the CSRF check's.
    headers: { ...attempt.headers, ...(credential === 'session' ? { origin: dashboardOrigin } : {}) },
    ...(credential === 'token' ? { token: b.token } : { cookie: b.cookie }),
  });
  return { status: response.status, text: await textOf(response) };
}

/** What A sees of its own things, to compare before and after B's attempts. */
async function viewOfA(a: Tenants['a']) {
  const get = async (routeKey: string, path: string, params: Record<string, string>, asCookie = false) => {
    const { method, handler } = handlerFor(routeKey);
    const response = await call(handler, {
      method,
      path,
      params,
      ...(asCookie ? { cookie: a.cookie, headers: { origin: dashboardOrigin } } : { token: a.token }),
    });
    expect(response.status, `${routeKey} as A`).toBe(200);
    return response.json();
  };
  const name = { name: a.appName };
  const appRead = appView.parse(await get('GET /apps/{name}', `/apps/${a.appName}`, name));
  const deployments = listDeploymentsResponse.parse(
    await get('GET /apps/{name}/deployments', `/apps/${a.appName}/deployments`, name),
  );
  return {
    app: {
      id: appRead.id,
      name: appRead.name,
      visibility: appRead.visibility,
      status: appRead.status,
      branch: appRead.branch,
    },
    deployments: deployments.deployments.map((one) => [one.id, one.status, one.trigger]),
    secrets: revealedSecrets.parse(
      await get('POST /apps/{name}/secrets/reveal', `/apps/${a.appName}/secrets/reveal`, name),
    ).toml,
    access: appAccessView.parse(await get('GET /apps/{name}/access', `/apps/${a.appName}/access`, name))
      .emails,
    webhook: webhookView.parse(await get('GET /apps/{name}/webhook', `/apps/${a.appName}/webhook`, name))
      .secret,
    tokens: listTokensResponse
      .parse(await get('GET /tokens', '/tokens', {}, true))
      .tokens.map((one) => one.id),
    invitations: listInvitationsResponse
      .parse(await get('GET /workspace/invitations', '/workspace/invitations', {}))
      .invitations.map((one) => one.id),
    members: listMembersResponse
      .parse(await get('GET /workspace/members', '/workspace/members', {}))
      .members.map((member) => [member.userId, member.role]),
    jobs: await Promise.all(queues.map((queue) => queue.getJobCounts())),
  };
}

test('every route of the route table has its cross-tenant attempts, or says why it names no tenant', () => {
  const uncovered = apiRoutes
    .map((route) => `${route.method.toUpperCase()} ${route.path}`)
    .filter((key) => !(key in crossTenantAttempts));
  expect(uncovered, 'routes with no row in two-tenants-attempts.ts').toEqual([]);
  const stale = Object.keys(crossTenantAttempts).filter(
    (key) => !apiRoutes.some((route) => `${route.method.toUpperCase()} ${route.path}` === key),
  );
  expect(stale, 'rows of two-tenants-attempts.ts for routes the table no longer has').toEqual([]);
});

describe('B against A through the API', () => {
  let before: Awaited<ReturnType<typeof viewOfA>>;

  beforeAll(async () => {
    before = await viewOfA(tenants.a);
    // The fixture is what the attempts need: A sees its own things with the same requests.
    expect(before.secrets).toContain(tenants.a.secretValue);
    expect(before.access.map((entry) => entry.email)).toEqual([tenants.a.accessEmail]);
    expect(before.tokens).toContain(tenants.a.tokenId);
    expect(before.invitations).toEqual([tenants.a.invitationId]);
  });

  const rows = Object.entries(crossTenantAttempts).flatMap(([routeKey, coverage]) =>
    'attempts' in coverage ? [{ routeKey, coverage }] : [],
  );
  describe.each(rows)('$routeKey', ({ routeKey, coverage }) => {
    test.each(['token', 'session'] as const)("with B's %s", async (credential) => {
      const { a, b } = tenants;
      for (const attempt of coverage.attempts(a, b)) {
        const expected = outcomeFor(attempt, credential);
        const { status, text } = await asB(routeKey, attempt, credential, b);
        const label = `${routeKey}: ${attempt.what} (${attempt.path}) with B's ${credential}: ${status} ${text.slice(0, 300)}`;
        if (expected === 'own') expect(status, label).toBeLessThan(500);
        else expect(status, label).toBe(expected);
        expect(leaksOf(text, attempt, a), label).toEqual([]);
      }
    });
  });

  test("A's things are as they were, and A's audit log has nothing of B's", async () => {
    const { a, b } = tenants;
    expect(await viewOfA(a)).toEqual(before);
    const entries = await listAuditEntries(context.db, a.workspaceId, { limit: 1000 });
    expect(entries.filter((entry) => entry.actorUserId === b.userId)).toEqual([]);
  });
});

describe("the credentials B used work on B's own things", () => {
  // Without this, every 404 above could be a broken fixture rather than a refusal.
  test.each(['token', 'session'] as const)(
    "B's %s reads B's app, its webhook and its deployments",
    async (credential) => {
      const { a, b } = tenants;
      for (const [routeKey, suffix] of [
        ['GET /apps/{name}', ''],
        ['GET /apps/{name}/webhook', '/webhook'],
        ['GET /apps/{name}/deployments', '/deployments'],
      ] as const) {
        const attempt: Attempt = {
          what: 'its own',
          path: `/apps/${b.appName}${suffix}`,
          params: { name: b.appName },
        };
        const { status, text } = await asB(routeKey, attempt, credential, b);
        expect(status, `${routeKey} for B's own app: ${text}`).toBe(200);
        expect(leaksOf(text, attempt, a)).toEqual([]);
      }
    },
  );

  test("a new invitation of A's still works for the person it was sent to (B's accept did not use it up)", async () => {
    const { a } = tenants;
    const { handler, method } = handlerFor('GET /invitations/{token}');
    const response = await call(handler, {
      method,
      path: `/invitations/${a.invitationToken}`,
      params: { token: a.invitationToken },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: a.invitedEmail, state: 'pending' });
  });
});
