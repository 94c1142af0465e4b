// Invitations against a real Postgres, and the mail path against a real SMTP server on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Principal, signUp } from '../../src/auth/accounts';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { type MailServer, startMailServer } from '../../src/testing/mail-server';
import {
  acceptInvitation,
  createInvitation,
  type InvitationsDeps,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from '../../src/workspaces/invitations';
import { listMembers } from '../../src/workspaces/members';

let context: TestContext;
let mail: MailServer;
let smtpUrl: string;

beforeAll(async () => {
  context = await createTestContext();
  mail = await startMailServer();
  smtpUrl = mail.url;
});
afterAll(async () => {
  await mail.close();
  await context.close();
});

const password = 'a long enough password';

function deps(smtpUrlOrNone?: string): InvitationsDeps {
  return {
    db: context.db,
    config: {
      COVE_DASHBOARD_URL: 'http://localhost:4100',
      COVE_INVITATION_DAYS: 7,
      COVE_MAIL_FROM: 'Cove <cove@example.test>',
      ...(smtpUrlOrNone ? { COVE_SMTP_URL: smtpUrlOrNone } : {}),
    },
  };
}

async function owner(): Promise<Principal & { email: string }> {
  const email = `owner-${randomUUID()}@example.com`;
  const { user, workspace } = await signUp(context.db, { email, password });
  return { userId: user.id, workspaceId: workspace.id, role: 'owner', email };
}

async function person() {
  const email = `person-${randomUUID()}@example.com`;
  const { user } = await signUp(context.db, { email, password });
  return { userId: user.id, email };
}

function tokenOf(link: string | null): string {
  const token = link?.split('/invite/')[1];
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

describe('without a mail transport', () => {
  test('the link is shown to copy; accepting it once joins with the role', async () => {
    const inviter = await owner();
    const invitee = await person();
    const created = await createInvitation(deps(), inviter, {
      email: invitee.email.toUpperCase(),
      role: 'viewer',
    });
    expect(created.isMailSent).toBe(false);
    expect(created.message).toMatch(/No mail is configured/);
    expect(created.link).toMatch(/^http:\/\/localhost:4100\/invite\/[A-Za-z0-9_-]{20,}$/);
    expect(created.invitation).toMatchObject({
      email: invitee.email,
      role: 'viewer',
      invitedBy: inviter.email,
    });
    const token = tokenOf(created.link);
    expect(await previewInvitation(context.db, token)).toMatchObject({
      email: invitee.email,
      state: 'pending',
    });

    const joined = await acceptInvitation(context.db, { token, userId: invitee.userId });
    expect(joined).toMatchObject({ id: inviter.workspaceId, role: 'viewer', isAlreadyMember: false });
    const members = await listMembers(context.db, inviter.workspaceId);
    expect(members.map((member) => [member.email, member.role])).toEqual([
      [inviter.email, 'owner'],
      [invitee.email, 'viewer'],
    ]);
    await expect(acceptInvitation(context.db, { token, userId: invitee.userId })).rejects.toThrow(
      /already been used/,
    );
    expect((await previewInvitation(context.db, token)).state).toBe('accepted');
    expect(await listInvitations(context.db, inviter.workspaceId)).toEqual([]);
  });

  test('someone signed in with another email cannot accept it', async () => {
    const inviter = await owner();
    const invitee = await person();
    const stranger = await person();
    const created = await createInvitation(deps(), inviter, { email: invitee.email, role: 'developer' });
    await expect(
      acceptInvitation(context.db, { token: tokenOf(created.link), userId: stranger.userId }),
    ).rejects.toThrow(`This invitation is for ${invitee.email}, and you are signed in as ${stranger.email}.`);
    expect(await listMembers(context.db, inviter.workspaceId)).toHaveLength(1);
  });

  test('re-inviting replaces the pending link; revoked and expired links stop working', async () => {
    const inviter = await owner();
    const invitee = await person();
    const first = await createInvitation(deps(), inviter, { email: invitee.email, role: 'viewer' });
    const second = await createInvitation(deps(), inviter, { email: invitee.email, role: 'developer' });
    expect((await listInvitations(context.db, inviter.workspaceId)).map((row) => row.id)).toEqual([
      second.invitation.id,
    ]);
    await expect(
      acceptInvitation(context.db, { token: tokenOf(first.link), userId: invitee.userId }),
    ).rejects.toThrow(/withdrawn or replaced/);

    await revokeInvitation(context.db, inviter, second.invitation.id);
    await expect(
      acceptInvitation(context.db, { token: tokenOf(second.link), userId: invitee.userId }),
    ).rejects.toThrow(/withdrawn or replaced/);
    await expect(revokeInvitation(context.db, inviter, second.invitation.id)).rejects.toThrow(
      /No pending invitation/,
    );

    const third = await createInvitation(deps(), inviter, { email: invitee.email, role: 'viewer' });
    const eightDaysLater = new Date(Date.now() + 8 * 24 * 3600 * 1000);
    await expect(
      acceptInvitation(context.db, { token: tokenOf(third.link), userId: invitee.userId }, eightDaysLater),
    ).rejects.toThrow(/has expired/);
    expect(await listInvitations(context.db, inviter.workspaceId, eightDaysLater)).toEqual([]);
    await expect(previewInvitation(context.db, 'not-a-real-token')).rejects.toThrow(/not valid/);
  });

  test('only an owner invites or revokes, and a member is not invited twice', async () => {
    const inviter = await owner();
    const developer: Principal = { ...inviter, role: 'developer' };
    await expect(createInvitation(deps(), developer, { email: 'x@example.com' })).rejects.toThrow(
      /needs the owner role/,
    );
    await expect(createInvitation(deps(), inviter, { email: inviter.email })).rejects.toThrow(
      /already a member/,
    );
    await expect(createInvitation(deps(), inviter, { email: 'not an email' })).rejects.toThrow(/valid email/);
    const created = await createInvitation(deps(), inviter, { email: 'y@example.com' });
    await expect(revokeInvitation(context.db, developer, created.invitation.id)).rejects.toThrow(
      /needs the owner role/,
    );
    const otherOwner = await owner();
    await expect(revokeInvitation(context.db, otherOwner, created.invitation.id)).rejects.toThrow(
      /No pending invitation/,
    );
  });
});

describe('with a mail transport', () => {
  test('the invitation goes out by mail with the link, which then works', async () => {
    const inviter = await owner();
    const invitee = await person();
    const created = await createInvitation(deps(smtpUrl), inviter, {
      email: invitee.email,
      role: 'developer',
    });
    expect(created).toMatchObject({
      isMailSent: true,
      link: null,
      message: `Invitation sent to ${invitee.email}.`,
    });
    const body = await mail.waitForMailTo(invitee.email);
    expect(mail.received.find((message) => message.to.includes(invitee.email))?.from).toBe(
      'cove@example.test',
    );
    expect(body).toMatch(/Subject: You are invited to owner-[^\n]*'s workspace on Cove/);
    const link = /http:\/\/localhost:4100\/invite\/[A-Za-z0-9_-]+/.exec(body)?.[0] ?? null;
    const joined = await acceptInvitation(context.db, { token: tokenOf(link), userId: invitee.userId });
    expect(joined).toMatchObject({ id: inviter.workspaceId, role: 'developer' });
  });

  test('when the mail server cannot be reached, the link is shown instead', async () => {
    const inviter = await owner();
    const closed = new SMTPServer({ disabledCommands: ['STARTTLS', 'AUTH'], logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(resolve));
    const created = await createInvitation(deps(`smtp://127.0.0.1:${port}`), inviter, {
      email: 'nobody@example.com',
    });
    expect(created.isMailSent).toBe(false);
    expect(created.message).toMatch(/could not be sent \(E[A-Z]+\): copy the link/);
    expect(created.link).toMatch(/\/invite\//);
  });
});
