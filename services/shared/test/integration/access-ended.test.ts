// Access ends when it is taken away (a member removed or leaving, an email taken off an access list),
// and those changes, with invitations and roles, leave entries in the audit log.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { replaceAppAccess } from '../../src/access/allow-list';
import {
  accessKeys,
  appSessionHash,
  exchangeAccessToken,
  parseEndedMessage,
  readAppSession,
} from '../../src/access/app-sessions';
import { signAccessToken } from '../../src/access/tokens';
import { listAuditEntries } from '../../src/audit/audit-log';
import { type Principal, signUp } from '../../src/auth/accounts';
import { schema } from '../../src/db/client';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { waitFor } from '../../src/testing/wait';
import { acceptInvitation, createInvitation, revokeInvitation } from '../../src/workspaces/invitations';
import { changeMemberRole, removeMember } from '../../src/workspaces/members';

let context: TestContext;
const ended: string[] = [];
let subscriber: TestContext['redis'];

beforeAll(async () => {
  context = await createTestContext();
  // What a proxy hears: the hashes of the sessions whose WebSockets it must close.
  subscriber = context.redis.duplicate();
  subscriber.on('message', (_channel: string, message: string) => ended.push(...parseEndedMessage(message)));
  await subscriber.subscribe(accessKeys(context.instance).endedChannel);
});
afterAll(async () => {
  await subscriber.quit();
  await context.close();
});

const masterKey = randomBytes(32).toString('base64');

function deps() {
  return {
    db: context.db,
    redis: context.redis,
    config: { COVE_INSTANCE: context.instance, COVE_MAIL_FROM: 'Cove <cove@example.test>' },
  };
}

async function account(prefix: string) {
  const email = `${prefix}-${randomUUID()}@example.com`;
  const { user, workspace } = await signUp(context.db, { email, password: 'a long enough password' });
  return { userId: user.id, email, ownWorkspaceId: workspace.id };
}

async function insertApp(workspaceId: string) {
  const [app] = await context.db
    .insert(schema.apps)
    .values({
      workspaceId,
      name: `app-${randomUUID().slice(0, 8)}`,
      repoUrl: 'http://127.0.0.1:9/repo.git',
      branch: 'main',
      mainFile: 'streamlit_app.py',
      webhookSecretCiphertext: 'unused',
      visibility: 'private',
    })
    .returning();
  if (!app) throw new Error('no app');
  return app;
}

/** An owner's workspace with two private apps and a developer who is a member. */
async function team() {
  const owner = await account('owner');
  const developer = await account('developer');
  const workspaceId = owner.ownWorkspaceId;
  await context.db
    .insert(schema.memberships)
    .values({ workspaceId, userId: developer.userId, role: 'developer' });
  const as = (who: { userId: string }, role: Principal['role']): Principal => ({
    userId: who.userId,
    workspaceId,
    role,
  });
  return {
    workspaceId,
    owner,
    developer,
    as,
    first: await insertApp(workspaceId),
    second: await insertApp(workspaceId),
  };
}

function accessClaims(person: { userId: string; email: string }, app: { id: string; name: string }) {
  return signAccessToken(masterKey, {
    appId: app.id,
    appName: app.name,
    userId: person.userId,
    email: person.email,
    dashboardSessionId: randomBytes(32).toString('hex'),
    dashboardSessionExpiresAtMs: Date.now() + 3_600_000,
  }).claims;
}

/** An app session, as the proxy makes one from a sign-in link. */
async function openSession(person: { userId: string; email: string }, app: { id: string; name: string }) {
  const exchanged = await exchangeAccessToken(context.redis, context.instance, accessClaims(person, app));
  if (exchanged.kind !== 'ok') throw new Error(`exchange failed: ${exchanged.kind}`);
  return exchanged.cookieValue;
}

const isLive = async (cookie: string) =>
  (await readAppSession(context.redis, context.instance, cookie)) !== null;

test('a removed member loses their sessions on the workspace apps at once, except where listed', async () => {
  const { workspaceId, owner, developer, as, first, second } = await team();
  await replaceAppAccess(deps(), workspaceId, second.name, owner.userId, { emails: [developer.email] });
  const onFirst = await openSession(developer, first);
  const onSecond = await openSession(developer, second);
  const ownersOwn = await openSession(owner, first);
  // A sign-in link minted before the removal, used after it.
  const minted = accessClaims(developer, first);

  await removeMember(deps(), as(owner, 'owner'), developer.userId);

  expect(await isLive(onFirst)).toBe(false);
  // Still on the second app's access list: that session stays, as does everyone else's.
  expect(await isLive(onSecond)).toBe(true);
  expect(await isLive(ownersOwn)).toBe(true);
  expect(await exchangeAccessToken(context.redis, context.instance, minted)).toEqual({ kind: 'revoked' });
  // The proxies are told, so they close the WebSockets opened with it.
  await waitFor(() => ended.includes(appSessionHash(onFirst)), {
    timeoutMs: 5_000,
    description: 'the ended session to be published',
  });
  expect(ended).not.toContain(appSessionHash(onSecond));
});

test('a member who leaves loses their sessions too', async () => {
  const { developer, as, first, second } = await team();
  const cookies = [await openSession(developer, first), await openSession(developer, second)];
  await removeMember(deps(), as(developer, 'developer'), developer.userId);
  for (const cookie of cookies) expect(await isLive(cookie)).toBe(false);
});

test("an email taken off an access list ends that person's session on that app only", async () => {
  const { workspaceId, owner, developer, first, second } = await team();
  const guest = await account('guest');
  const other = await account('other');
  await replaceAppAccess(deps(), workspaceId, first.name, owner.userId, {
    emails: [guest.email, other.email, developer.email],
  });
  await replaceAppAccess(deps(), workspaceId, second.name, owner.userId, { emails: [guest.email] });
  const guestOnFirst = await openSession(guest, first);
  const guestOnSecond = await openSession(guest, second);
  const otherOnFirst = await openSession(other, first);
  const developerOnFirst = await openSession(developer, first);

  await replaceAppAccess(deps(), workspaceId, first.name, owner.userId, { emails: [other.email] });

  expect(await isLive(guestOnFirst)).toBe(false);
  expect(await isLive(guestOnSecond)).toBe(true);
  expect(await isLive(otherOnFirst)).toBe(true);
  // A member taken off the list may still open the app as a member.
  expect(await isLive(developerOnFirst)).toBe(true);
  // Put back on the list, a new sign-in works again (after the second that covers links signed
  // while the list was changing).
  await replaceAppAccess(deps(), workspaceId, first.name, owner.userId, {
    emails: [other.email, guest.email],
  });
  await waitFor(
    async () =>
      (await exchangeAccessToken(context.redis, context.instance, accessClaims(guest, first))).kind === 'ok',
    {
      timeoutMs: 5_000,
      description: 'a sign-in minted after the re-listing to be accepted',
    },
  );
});

test('roles, removals, invitations and access lists are audited with who, what and when', async () => {
  const { workspaceId, owner, developer, as, first } = await team();
  const invitee = await account('invitee');
  const invitationDeps = {
    db: context.db,
    config: {
      COVE_DASHBOARD_URL: 'http://localhost:4100',
      COVE_INVITATION_DAYS: 7,
      COVE_MAIL_FROM: 'Cove <cove@example.test>',
    },
  };
  const withdrawn = await createInvitation(invitationDeps, as(owner, 'owner'), {
    email: `later-${randomUUID()}@example.com`,
    role: 'viewer',
  });
  await revokeInvitation(context.db, as(owner, 'owner'), withdrawn.invitation.id);
  const invited = await createInvitation(invitationDeps, as(owner, 'owner'), {
    email: invitee.email,
    role: 'viewer',
  });
  const token = new URL(invited.link ?? '').pathname.split('/').at(-1) ?? '';
  await acceptInvitation(context.db, { token, userId: invitee.userId });
  await changeMemberRole(context.db, as(owner, 'owner'), developer.userId, 'owner');
  await changeMemberRole(context.db, as(owner, 'owner'), developer.userId, 'owner');
  await replaceAppAccess(deps(), workspaceId, first.name, owner.userId, { emails: ['guest@example.com'] });
  await replaceAppAccess(deps(), workspaceId, first.name, owner.userId, { emails: ['guest@example.com'] });
  await replaceAppAccess(deps(), workspaceId, first.name, owner.userId, { emails: ['else@example.com'] });
  await removeMember(deps(), as(developer, 'owner'), invitee.userId);
  await removeMember(deps(), as(developer, 'owner'), developer.userId);

  const entries = (await listAuditEntries(context.db, workspaceId)).reverse();
  expect(entries.map((entry) => [entry.action, entry.keyNames, entry.actorUserId, entry.appName])).toEqual([
    ['invitations.create', [withdrawn.invitation.email, 'viewer'], owner.userId, null],
    ['invitations.withdraw', [withdrawn.invitation.email], owner.userId, null],
    ['invitations.create', [invitee.email, 'viewer'], owner.userId, null],
    ['invitations.accept', [invitee.email, 'viewer'], invitee.userId, null],
    // Setting the role a member already has changes nothing and records nothing.
    ['members.change_role', [developer.email, 'developer to owner'], owner.userId, null],
    ['access.list', ['+guest@example.com'], owner.userId, first.name],
    ['access.list', ['+else@example.com', '-guest@example.com'], owner.userId, first.name],
    ['members.remove', [invitee.email], developer.userId, null],
    ['members.leave', [developer.email], developer.userId, null],
  ]);
  for (const entry of entries) expect(entry.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
});
