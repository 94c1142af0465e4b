// The address verification link against a real Postgres and a real SMTP server on 127.0.0.1:
// mailed at sign-up, works once, until it expires, only as signed, only for the address it went to.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp } from '../../src/auth/accounts';
import {
  confirmEmailAddress,
  markEmailVerified,
  sendVerificationMail,
  type VerificationDeps,
} from '../../src/auth/email-verification';
import { schema } from '../../src/db/client';
import { createTestContext, type TestContext } from '../../src/testing/context';
import { type MailServer, startMailServer } from '../../src/testing/mail-server';
import { acceptInvitation, createInvitation } from '../../src/workspaces/invitations';

let context: TestContext;
let mail: MailServer;
beforeAll(async () => {
  context = await createTestContext();
  mail = await startMailServer();
});
afterAll(async () => {
  await mail.close();
  await context.close();
});

const password = 'a long enough password';
const masterKey = randomBytes(32).toString('base64');

function deps(options: { isMailConfigured?: boolean; key?: string } = {}): VerificationDeps {
  return {
    db: context.db,
    config: {
      COVE_DASHBOARD_URL: 'http://localhost:4100',
      COVE_EMAIL_VERIFICATION_HOURS: 24,
      COVE_MAIL_FROM: 'Cove <cove@example.test>',
      COVE_MASTER_KEY: options.key ?? masterKey,
      ...(options.isMailConfigured === false ? {} : { COVE_SMTP_URL: mail.url }),
    },
  };
}

async function person() {
  const email = `person-${randomUUID()}@example.com`;
  const { user } = await signUp(context.db, { email, password });
  return user;
}

async function mailedToken(email: string): Promise<string> {
  const text = await mail.waitForMailTo(email);
  const token = /http:\/\/localhost:4100\/verify\/([A-Za-z0-9_.-]+)/.exec(text)?.[1];
  if (!token) throw new Error(`no link in the mail:\n${text}`);
  return token;
}

async function isVerified(userId: string): Promise<boolean> {
  const rows = await context.db.select().from(schema.users);
  return rows.find((row) => row.id === userId)?.emailVerifiedAt != null;
}

describe('the mailed link', () => {
  test('goes to the address, from the operator sender, and verifies it once', async () => {
    const user = await person();
    const sent = await sendVerificationMail(deps(), user);
    expect(sent.isMailSent).toBe(true);
    const text = await mail.waitForMailTo(user.email);
    expect(mail.received.findLast((message) => message.to.includes(user.email))?.from).toBe(
      'cove@example.test',
    );
    expect(text).toMatch(/Subject: Verify your address on Cove/);
    const token = await mailedToken(user.email);
    expect(await isVerified(user.id)).toBe(false);
    expect(await confirmEmailAddress(deps(), token)).toEqual({ state: 'verified', email: user.email });
    expect(await isVerified(user.id)).toBe(true);
    expect(await confirmEmailAddress(deps(), token)).toEqual({ state: 'used' });
  });

  test('stops working when it expires', async () => {
    const user = await person();
    const now = new Date();
    await sendVerificationMail(deps(), user, now);
    const token = await mailedToken(user.email);
    const later = new Date(now.getTime() + 24 * 3600 * 1000 + 1);
    expect(await confirmEmailAddress(deps(), token, later)).toEqual({ state: 'expired' });
    expect(await isVerified(user.id)).toBe(false);
    // Just before, it still works.
    const justBefore = new Date(now.getTime() + 24 * 3600 * 1000 - 1000);
    expect(await confirmEmailAddress(deps(), token, justBefore)).toMatchObject({ state: 'verified' });
  });

  test('is refused when edited or signed with another key', async () => {
    const user = await person();
    await sendVerificationMail(deps(), user);
    const token = await mailedToken(user.email);
    const [payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const edited = Buffer.from(JSON.stringify({ ...claims, email: 'victim@example.com' })).toString(
      'base64url',
    );
    expect(await confirmEmailAddress(deps(), `${edited}.${mac}`)).toEqual({ state: 'invalid' });
    expect(await confirmEmailAddress(deps({ key: randomBytes(32).toString('base64') }), token)).toEqual({
      state: 'invalid',
    });
    expect(await confirmEmailAddress(deps(), 'not-a-token')).toEqual({ state: 'invalid' });
    expect(await isVerified(user.id)).toBe(false);
  });

  test('is refused when another account verified the address first', async () => {
    const squatter = await person();
    await sendVerificationMail(deps(), squatter);
    const token = await mailedToken(squatter.email);
    const { user: owner } = await signUp(context.db, { email: squatter.email, password });
    await markEmailVerified(context.db, owner.id);
    expect(await confirmEmailAddress(deps(), token)).toEqual({ state: 'taken' });
    expect(await isVerified(squatter.id)).toBe(false);
  });
});

test('without mail, nothing is sent and the person is told the address stays unverified', async () => {
  const user = await person();
  const before = mail.received.length;
  expect(await sendVerificationMail(deps({ isMailConfigured: false }), user)).toEqual({
    isMailSent: false,
    message: expect.stringMatching(/^Your address is not verified\. This Cove sends no mail/),
  });
  expect(mail.received.length).toBe(before);
});

test('accepting a workspace invitation verifies the address it was sent to', async () => {
  const { user: inviter, workspace } = await signUp(context.db, {
    email: `owner-${randomUUID()}@example.com`,
    password,
  });
  const invitee = await person();
  const created = await createInvitation(
    { db: context.db, config: { ...deps({ isMailConfigured: false }).config, COVE_INVITATION_DAYS: 7 } },
    { userId: inviter.id, workspaceId: workspace.id, role: 'owner' },
    { email: invitee.email, role: 'viewer' },
  );
  const token = created.link?.split('/invite/')[1] ?? '';
  expect(await isVerified(invitee.id)).toBe(false);
  await acceptInvitation(context.db, { token, userId: invitee.id });
  expect(await isVerified(invitee.id)).toBe(true);
});
