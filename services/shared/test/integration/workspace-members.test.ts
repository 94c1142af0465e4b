// Members and roles, leaving, and moving a session between workspaces, against a real Postgres.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSession, type Principal, resolveSession, signUp } from '../../src/auth/accounts';
import { createApiToken, resolveApiToken } from '../../src/auth/api-tokens';
import { schema } from '../../src/db/client';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { changeMemberRole, listMembers, removeMember } from '../../src/workspaces/members';
import { listWorkspacesOf, switchSessionWorkspace } from '../../src/workspaces/switch';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => {
  await context.close();
});

const password = 'a long enough password';

function deps() {
  return { db: context.db, redis: context.redis, config: { COVE_INSTANCE: context.instance } };
}

async function account(prefix: string) {
  const email = `${prefix}-${randomUUID()}@example.com`;
  const { user, workspace } = await signUp(context.db, { email, password });
  return { userId: user.id, email, ownWorkspaceId: workspace.id };
}

/** A workspace with an owner, a developer and a viewer (each also owns their own workspace). */
async function team() {
  const owner = await account('owner');
  const developer = await account('developer');
  const viewer = await account('viewer');
  const workspaceId = owner.ownWorkspaceId;
  await context.db.insert(schema.memberships).values([
    { workspaceId, userId: developer.userId, role: 'developer' },
    { workspaceId, userId: viewer.userId, role: 'viewer' },
  ]);
  const as = (who: { userId: string }, role: Principal['role']): Principal => ({
    userId: who.userId,
    workspaceId,
    role,
  });
  return { workspaceId, owner, developer, viewer, as };
}

test('members are listed with email, role and when they joined', async () => {
  const { workspaceId, owner, developer, viewer } = await team();
  const members = await listMembers(context.db, workspaceId);
  expect(members.map((member) => [member.email, member.role])).toEqual([
    [owner.email, 'owner'],
    [developer.email, 'developer'],
    [viewer.email, 'viewer'],
  ]);
  expect(Date.parse(members[0]?.joinedAt ?? '')).toBeGreaterThan(0);
});

test('only an owner changes roles, and the last owner cannot be demoted', async () => {
  const { owner, developer, viewer, as } = await team();
  await expect(
    changeMemberRole(context.db, as(developer, 'developer'), viewer.userId, 'owner'),
  ).rejects.toThrow('This needs the owner role in the workspace; ask an owner.');
  await expect(changeMemberRole(context.db, as(owner, 'owner'), owner.userId, 'developer')).rejects.toThrow(
    'A workspace needs at least one owner: make another member an owner first, then try again.',
  );
  expect(await changeMemberRole(context.db, as(owner, 'owner'), developer.userId, 'owner')).toMatchObject({
    email: developer.email,
    role: 'owner',
  });
  // With two owners, one may step down.
  expect((await changeMemberRole(context.db, as(owner, 'owner'), owner.userId, 'viewer')).role).toBe(
    'viewer',
  );
  await expect(changeMemberRole(context.db, as(owner, 'owner'), randomUUID(), 'viewer')).rejects.toThrow(
    'This person is not a member of the workspace.',
  );
});

test('two owners demoting each other at once leave one owner', async () => {
  const { workspaceId, owner, developer, as } = await team();
  await changeMemberRole(context.db, as(owner, 'owner'), developer.userId, 'owner');
  const results = await Promise.allSettled([
    changeMemberRole(context.db, as(owner, 'owner'), developer.userId, 'viewer'),
    changeMemberRole(context.db, as(developer, 'owner'), owner.userId, 'viewer'),
  ]);
  expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  const owners = (await listMembers(context.db, workspaceId)).filter((member) => member.role === 'owner');
  expect(owners).toHaveLength(1);
});

test('an owner removes a member, whose sessions and tokens in the workspace stop working', async () => {
  const { workspaceId, owner, developer, viewer, as } = await team();
  const session = await createSession(context.db, { userId: developer.userId, workspaceId });
  const token = await createApiToken(context.db, { workspaceId, userId: developer.userId, name: 't' });
  await expect(removeMember(deps(), as(viewer, 'viewer'), developer.userId)).rejects.toThrow(
    /needs the owner role/,
  );
  expect(await removeMember(deps(), as(owner, 'owner'), developer.userId)).toEqual({
    message: 'Removed from the workspace.',
  });
  expect(await resolveSession(context.db, session.token)).toBeNull();
  expect(await resolveApiToken(context.db, token.token)).toBeNull();
  // Re-adding them later does not bring the old token back to life.
  await context.db
    .insert(schema.memberships)
    .values({ workspaceId, userId: developer.userId, role: 'viewer' });
  expect(await resolveApiToken(context.db, token.token)).toBeNull();
  await expect(removeMember(deps(), as(owner, 'owner'), owner.userId)).rejects.toThrow(
    'You are the last owner of this workspace: make another member an owner before you leave.',
  );
});

test('a member leaves; their own workspace is untouched', async () => {
  const { workspaceId, viewer, as } = await team();
  expect(await removeMember(deps(), as(viewer, 'viewer'), viewer.userId)).toEqual({
    message: 'You left the workspace.',
  });
  const left = await listWorkspacesOf(context.db, as(viewer, 'viewer'));
  expect(left.map((workspace) => workspace.id)).toEqual([viewer.ownWorkspaceId]);
  expect((await listMembers(context.db, workspaceId)).map((member) => member.userId)).not.toContain(
    viewer.userId,
  );
});

test('a session moves only into a workspace its user is a member of', async () => {
  const { workspaceId, developer } = await team();
  const stranger = await account('stranger');
  const session = await createSession(context.db, {
    userId: developer.userId,
    workspaceId: developer.ownWorkspaceId,
  });
  const mine = await listWorkspacesOf(context.db, {
    userId: developer.userId,
    workspaceId: developer.ownWorkspaceId,
    role: 'owner',
  });
  expect(mine.map((workspace) => [workspace.id, workspace.role, workspace.isCurrent])).toEqual([
    [developer.ownWorkspaceId, 'owner', true],
    [workspaceId, 'developer', false],
  ]);
  const moved = await switchSessionWorkspace(context.db, {
    sessionToken: session.token,
    userId: developer.userId,
    workspaceId,
  });
  expect(moved).toMatchObject({ id: workspaceId, role: 'developer', isCurrent: true });
  expect(await resolveSession(context.db, session.token)).toEqual({
    userId: developer.userId,
    workspaceId,
    role: 'developer',
  });
  await expect(
    switchSessionWorkspace(context.db, {
      sessionToken: session.token,
      userId: developer.userId,
      workspaceId: stranger.ownWorkspaceId,
    }),
  ).rejects.toThrow('You are not a member of that workspace. Ask one of its owners to invite you.');
  expect((await resolveSession(context.db, session.token))?.workspaceId).toBe(workspaceId);
  // Another user's session cannot be moved with a token that is not theirs.
  await expect(
    switchSessionWorkspace(context.db, {
      sessionToken: session.token,
      userId: stranger.userId,
      workspaceId: stranger.ownWorkspaceId,
    }),
  ).rejects.toThrow('Your session has ended. Sign in again.');
});
