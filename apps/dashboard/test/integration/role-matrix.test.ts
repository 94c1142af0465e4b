// Every route handler under app/api/v1, called by a viewer, a developer and an owner of workspace A,
// by the owner of another workspace and by nobody. The table says what each route needs; a route
// on disk that is not in the table fails the test, so a new route cannot skip this review.
import { randomUUID } from 'node:crypto';
import { createApiToken } from '@cove/shared/auth/api-tokens';
import { generateToken, hashToken } from '@cove/shared/auth/tokens';
import { apiRoutes } from '@cove/shared/contracts/routes';
import { schema } from '@cove/shared/db/client';
import type { MemberRole } from '@cove/shared/db/schema/identity';
import type { TestContext } from '@cove/shared/testing/context';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';
import { type Fixture, type RouteRule, routeRules } from './role-matrix-table';
import { diskKeyOf, type Handler, routesOnDisk } from './route-handlers';

type Caller = MemberRole | 'outsider' | 'anonymous';
const callers: readonly Caller[] = ['viewer', 'developer', 'owner', 'outsider', 'anonymous'];
const rank: Record<MemberRole, number> = { viewer: 0, developer: 1, owner: 2 };

let context: TestContext;
let handlers: Map<string, Handler>;
let team: { workspaceId: string; tokens: Record<MemberRole, string>; emails: Record<MemberRole, string> };
let outsider: Awaited<ReturnType<typeof signUpWithToken>>;

beforeAll(async () => {
  // Room for the few hundred apps the fixtures create in one workspace.
  context = await startDashboardContext({
    COVE_WORKSPACE_MAX_APPS: '100000',
    COVE_WORKSPACE_MAX_MEMORY_MB: '1000000000',
  });
  handlers = await routesOnDisk();
  const owner = await signUpWithToken();
  const developer = await signUpWithToken();
  const viewer = await signUpWithToken();
  outsider = await signUpWithToken();
  const tokens: Record<MemberRole, string> = { owner: owner.token, developer: '', viewer: '' };
  for (const [role, person] of [
    ['developer', developer],
    ['viewer', viewer],
  ] as const) {
    await context.db
      .insert(schema.memberships)
      .values({ workspaceId: owner.workspaceId, userId: person.userId, role });
    tokens[role] = (
      await createApiToken(context.db, {
        workspaceId: owner.workspaceId,
        userId: person.userId,
        name: 'matrix',
      })
    ).token;
  }
  team = {
    workspaceId: owner.workspaceId,
    tokens,
    emails: { owner: owner.email, developer: developer.email, viewer: viewer.email },
  };
});
afterAll(async () => {
  await stopDashboardContext(context);
});

/** Fresh things in workspace A for one call, so a DELETE of one call never spoils the next. */
async function fixtureFor(callerEmail: string | null): Promise<Fixture> {
  const app = await createTestApp(team.tokens.owner, 'matrix');
  const [deployment] = await context.db
    .select({ id: schema.deployments.id })
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.appId));
  const [subject] = await context.db
    .insert(schema.users)
    .values({ email: `subject-${randomUUID()}@example.com`, passwordHash: 'not-a-login' })
    .returning({ id: schema.users.id });
  if (!deployment || !subject) throw new Error('fixture rows missing');
  await context.db
    .insert(schema.memberships)
    .values({ workspaceId: team.workspaceId, userId: subject.id, role: 'developer' });
  const invited = await call(handlers.get('POST /workspace/invitations') as Handler, {
    method: 'POST',
    path: '/workspace/invitations',
    params: {},
    token: team.tokens.owner,
    body: { email: `pending-${randomUUID()}@example.com`, role: 'viewer' },
  });
  const pending = (await invited.json()) as { invitation: { id: string } };
  // The caller's own invitation, to a workspace of its own, so accepting it works for anyone.
  const [elsewhere] = await context.db
    .insert(schema.workspaces)
    .values({ name: 'elsewhere' })
    .returning({ id: schema.workspaces.id });
  if (!elsewhere) throw new Error('workspace row missing');
  const invitationToken = generateToken();
  await context.db.insert(schema.invitations).values({
    workspaceId: elsewhere.id,
    email: callerEmail ?? `nobody-${randomUUID()}@example.com`,
    role: 'viewer',
    tokenHash: hashToken(invitationToken),
    expiresAt: new Date(Date.now() + 3600_000),
  });
  return {
    appName: app.name,
    deploymentId: deployment.id,
    memberUserId: subject.id,
    invitationId: pending.invitation.id,
    invitationToken,
    ownWorkspaceId: team.workspaceId,
  };
}

function tokenOf(caller: Caller): string | undefined {
  if (caller === 'anonymous') return undefined;
  return caller === 'outsider' ? outsider.token : team.tokens[caller];
}

type Expectation = 'allowed' | 'forbidden' | 'unauthenticated' | 'not-found' | { status: number };

function expectedFor(rule: RouteRule, caller: Caller): Expectation {
  if (rule.access === 'public') return { status: rule.status };
  if (caller === 'anonymous') return 'unauthenticated';
  if (rule.access === 'session-only') return 'forbidden';
  if (rule.access === 'any-user') return 'allowed';
  if (caller === 'outsider') return rule.outsider === 'not-found' ? 'not-found' : 'allowed';
  return rank[caller] >= rank[rule.access] ? 'allowed' : 'forbidden';
}

function statusMatches(expected: Expectation, status: number): boolean {
  if (typeof expected === 'object') return status === expected.status;
  switch (expected) {
    case 'allowed':
      return status !== 401 && status !== 403 && status < 500;
    case 'forbidden':
      return status === 403;
    case 'unauthenticated':
      return status === 401;
    case 'not-found':
      return status === 404;
    default: {
      const unknown: never = expected;
      throw new Error(`unknown expectation ${String(unknown)}`);
    }
  }
}

test('every route handler on disk is in the table, and every row of the table is on disk', () => {
  expect([...handlers.keys()].filter((key) => !(key in routeRules)).sort()).toEqual([]);
  expect(
    Object.keys(routeRules)
      .filter((key) => !handlers.has(key))
      .sort(),
  ).toEqual([]);
});

test('the OpenAPI route table lists exactly the routes served', () => {
  const documented = apiRoutes.map(diskKeyOf);
  expect(documented.sort()).toEqual([...handlers.keys()].sort());
});

describe.each(Object.entries(routeRules))('%s', (key, rule) => {
  test.each(callers)('as %s', async (caller) => {
    const handler = handlers.get(key);
    if (!handler) throw new Error(`${key} is not on disk`);
    const callerEmail =
      caller === 'outsider' ? outsider.email : caller === 'anonymous' ? null : team.emails[caller];
    const fixture = await fixtureFor(callerEmail);
    const request = rule.request(fixture);
    const [method = 'GET'] = key.split(' ');
    const response = await call(handler, {
      method,
      ...request,
      ...(tokenOf(caller) ? { token: tokenOf(caller) } : {}),
    });
    const text = await response.text();
    const expected = expectedFor(rule, caller);
    expect(statusMatches(expected, response.status), `${key} as ${caller}: ${response.status} ${text}`).toBe(
      true,
    );
    if (
      caller === 'outsider' &&
      rule.access !== 'public' &&
      rule.access !== 'any-user' &&
      rule.access !== 'session-only'
    ) {
      // Whatever another workspace's owner gets back never shows workspace A's things (a not-found
      // may repeat the app name the caller sent, nothing more).
      if (rule.outsider === 'own') expect(text).not.toContain(fixture.appName);
      expect(text).not.toContain(team.workspaceId);
      expect(text).not.toContain(team.emails.owner);
    }
  });
});
