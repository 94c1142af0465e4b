import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createSession,
  deleteSession,
  resolveSession,
  sessionLifetimeMs,
  setPassword,
  signIn,
  signUp,
} from '../../src/auth/accounts';
import { createApiToken, resolveApiToken } from '../../src/auth/api-tokens';
import { markEmailVerified } from '../../src/auth/email-verification';
import { schema } from '../../src/db/client';
import { createTestContext, type TestContext } from '../../src/testing/context';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => {
  await context.close();
});

const password = 'a long enough password';

test('sign-up makes the user the owner of a new workspace, storing no plain password', async () => {
  const email = `${randomUUID()}@Example.com`;
  const { user, workspace } = await signUp(context.db, { email, password });
  expect(user.email).toBe(email.toLowerCase());
  const [membership] = await context.db.select().from(schema.memberships);
  expect(membership).toMatchObject({ userId: user.id, workspaceId: workspace.id, role: 'owner' });
  const [stored] = await context.db.select().from(schema.users);
  expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
  expect((await signIn(context.db, { email, password })).workspace.id).toBe(workspace.id);
  await setPassword(context.db, user.id, 'a brand new password');
  await expect(signIn(context.db, { email, password })).rejects.toThrow(/email or password is not right/);
});

test('sessions resolve until they expire or are deleted', async () => {
  const { user, workspace } = await signUp(context.db, { email: `${randomUUID()}@example.com`, password });
  const now = new Date();
  const session = await createSession(context.db, { userId: user.id, workspaceId: workspace.id }, now);
  expect(await resolveSession(context.db, session.token, now)).toEqual({
    userId: user.id,
    workspaceId: workspace.id,
    role: 'owner',
  });
  const later = new Date(now.getTime() + sessionLifetimeMs + 1000);
  expect(await resolveSession(context.db, session.token, later)).toBeNull();
  await deleteSession(context.db, session.token);
  expect(await resolveSession(context.db, session.token, now)).toBeNull();
});

test('API tokens are stored hashed and resolve to their workspace', async () => {
  const { user, workspace } = await signUp(context.db, { email: `${randomUUID()}@example.com`, password });
  const { token } = await createApiToken(context.db, {
    workspaceId: workspace.id,
    userId: user.id,
    name: 'ci',
  });
  const rows = await context.db.select().from(schema.apiTokens);
  expect(JSON.stringify(rows)).not.toContain(token);
  expect(await resolveApiToken(context.db, token)).toMatchObject({
    userId: user.id,
    workspaceId: workspace.id,
  });
  expect(await resolveApiToken(context.db, `${token}x`)).toBeNull();
});

test('an address signed up first by someone else blocks nobody; once verified, it is taken', async () => {
  const email = `${randomUUID()}@example.com`;
  const squatter = await signUp(context.db, { email, password: 'the squatter password' });
  // The owner can still sign up, and each account signs in with its own password.
  const owner = await signUp(context.db, { email, password });
  expect(owner.user.id).not.toBe(squatter.user.id);
  expect((await signIn(context.db, { email, password: 'the squatter password' })).user.id).toBe(
    squatter.user.id,
  );
  expect((await signIn(context.db, { email, password })).user).toEqual({
    id: owner.user.id,
    email,
    isEmailVerified: false,
  });

  await markEmailVerified(context.db, owner.user.id);
  // The verified account alone signs in with the address now; nobody else can sign up with it.
  expect((await signIn(context.db, { email, password })).user.isEmailVerified).toBe(true);
  await expect(signIn(context.db, { email, password: 'the squatter password' })).rejects.toThrow(
    /email or password is not right/,
  );
  await expect(signUp(context.db, { email, password })).rejects.toThrow(
    'An account with this email already exists. Sign in instead.',
  );
  await expect(markEmailVerified(context.db, squatter.user.id)).rejects.toThrow(
    'Another account has already verified this address.',
  );
});
