// Finding H1 of the security review: an access list counts only verified addresses. Someone who signs
// up with a listed email is refused until the address is proved by the link mailed to it.

import { randomUUID } from 'node:crypto';
import { grantAppAccess } from '@cove/shared/access/grant';
import { appAccessView, errorResponse, signUpResponse } from '@cove/shared/contracts/api';
import type { TestContext } from '@cove/shared/testing/context';
import { type MailServer, startMailServer } from '@cove/shared/testing/mail-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as accessPage from '../../app/access/route';
import * as appAccessRoute from '../../app/api/v1/apps/[name]/access/route';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as signupRoute from '../../app/api/v1/auth/signup/route';
import * as resendRoute from '../../app/api/v1/session/verification/route';
import * as verifyLink from '../../app/verify/[token]/route';
import { serverContext } from '../../lib/server/context';
import {
  call,
  createTestApp,
  dashboardOrigin,
  reconfigure,
  signUpWithToken,
  startDashboardContext,
  stopDashboardContext,
} from './harness';

let context: TestContext;
let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer();
  context = await startDashboardContext();
});
afterAll(async () => {
  await stopDashboardContext(context);
  await mail.close();
});

async function privateAppListing(email: string) {
  const owner = await signUpWithToken();
  const app = await createTestApp(owner.token, 'h1');
  const made = await call(appRoute.PATCH, {
    method: 'PATCH',
    path: `/apps/${app.name}`,
    params: { name: app.name },
    token: owner.token,
    body: { visibility: 'private' },
  });
  expect(made.status).toBe(200);
  const listed = await call(appAccessRoute.PUT, {
    method: 'PUT',
    path: `/apps/${app.name}/access`,
    params: { name: app.name },
    token: owner.token,
    body: { emails: [email] },
  });
  expect(listed.status).toBe(200);
  return { owner, app };
}

async function signUp(email: string) {
  const response = await call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email, password: 'attacker-chosen-pw' },
    headers: { origin: dashboardOrigin },
  });
  expect(response.status).toBe(201);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, body: signUpResponse.parse(await response.json()) };
}

async function openAccessPage(appName: string, cookie: string): Promise<string> {
  const request = new Request(
    `${dashboardOrigin}/access?${new URLSearchParams({ app: appName, return: '/' })}`,
    {
      headers: { cookie },
    },
  );
  const response = await accessPage.GET(request, { params: Promise.resolve({}) });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

async function openLink(link: string): Promise<string> {
  const url = new URL(link);
  const token = url.pathname.replace(/^\/verify\//, '');
  const response = await verifyLink.GET(new Request(url), { params: Promise.resolve({ token }) });
  expect(response.status).toBe(303);
  return response.headers.get('location') ?? '';
}

function cookieValue(cookie: string): string {
  return cookie.split('=')[1] ?? '';
}

describe('without mail', () => {
  test('signing up with a listed email opens nothing, and the person and the access list say why', async () => {
    const email = `client-${randomUUID()}@example.test`;
    const { owner, app } = await privateAppListing(email);
    const squatter = await signUp(email);
    expect(squatter.body.user.isEmailVerified).toBe(false);
    expect(squatter.body.verification).toMatchObject({ isMailSent: false });
    expect(squatter.body.verification.message).toMatch(/not verified.*sends no mail/);

    expect(await openAccessPage(app.name, squatter.cookie)).toMatch(/^\/access\/denied\?/);
    const grant = await grantAppAccess(serverContext(), {
      appName: app.name,
      returnPath: '/',
      sessionCookie: cookieValue(squatter.cookie),
    });
    expect(grant).toMatchObject({ kind: 'denied', email, canSendVerificationMail: false });
    if (grant.kind !== 'denied') throw new Error(grant.kind);
    expect(grant.message).toMatch(/Your address is not verified, so access lists do not count it/);
    expect(grant.message).toMatch(/COVE_SMTP_URL/);

    const read = await call(appAccessRoute.GET, {
      path: `/apps/${app.name}/access`,
      params: { name: app.name },
      token: owner.token,
    });
    const view = appAccessView.parse(await read.json());
    expect(view.emails).toEqual([expect.objectContaining({ email, isVerified: false })]);
    expect(view.verificationNote).toMatch(
      /only for an account that has verified that address.*sends no mail/,
    );
  });
});

describe('with mail', () => {
  beforeAll(async () => {
    await reconfigure({ COVE_SMTP_URL: mail.url, COVE_MAIL_FROM: 'Cove <cove@example.test>' });
  });
  afterAll(async () => {
    delete process.env.COVE_SMTP_URL;
    await reconfigure({});
  });

  test('the review reproduction: refused until the mailed link is opened, then let in', async () => {
    const email = `client-${randomUUID()}@example.test`;
    const { owner, app } = await privateAppListing(email);
    const person = await signUp(email);
    expect(person.body.verification).toEqual({
      isMailSent: true,
      message: `We sent a link to ${email}: open it to verify your address. Until then, private apps that list it do not open for you.`,
    });
    const text = await mail.waitForMailTo(email);
    expect(text).toMatch(/Subject: Verify your address on Cove/);
    const link = /http:\/\/localhost:4100\/verify\/[A-Za-z0-9_.-]+/.exec(text)?.[0];
    if (!link) throw new Error(`no link in the mail:\n${text}`);

    expect(await openAccessPage(app.name, person.cookie)).toMatch(/^\/access\/denied\?/);
    const grant = await grantAppAccess(serverContext(), {
      appName: app.name,
      returnPath: '/',
      sessionCookie: cookieValue(person.cookie),
    });
    expect(grant).toMatchObject({ kind: 'denied', canSendVerificationMail: true });

    expect(await openLink(link)).toBe('/verify?result=verified');
    expect(await openAccessPage(app.name, person.cookie)).toMatch(
      new RegExp(`^http://${app.name}\\.localhost/__cove/auth\\?token=`),
    );
    const read = await call(appAccessRoute.GET, {
      path: `/apps/${app.name}/access`,
      params: { name: app.name },
      token: owner.token,
    });
    expect(appAccessView.parse(await read.json()).emails).toEqual([
      expect.objectContaining({ email, isVerified: true }),
    ]);
    // The link works once.
    expect(await openLink(link)).toBe('/verify?result=used');
    expect(await openLink(`${link.slice(0, -2)}xx`)).toBe('/verify?result=invalid');
  });

  test('an unverified person asks for a new link; a verified one is told there is no need', async () => {
    const email = `again-${randomUUID()}@example.test`;
    const person = await signUp(email);
    const resend = () =>
      call(resendRoute.POST, {
        method: 'POST',
        path: '/session/verification',
        params: {},
        cookie: person.cookie,
        headers: { origin: dashboardOrigin },
      });
    const before = mail.received.filter((message) => message.to.includes(email)).length;
    const again = await resend();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ isMailSent: true });
    expect(mail.received.filter((message) => message.to.includes(email)).length).toBe(before + 1);
    const link = /http:\/\/localhost:4100\/verify\/[A-Za-z0-9_.-]+/.exec(
      await mail.waitForMailTo(email),
    )?.[0];
    expect(await openLink(link ?? '')).toBe('/verify?result=verified');
    expect(await (await resend()).json()).toEqual({
      isMailSent: false,
      message: 'Your address is verified already.',
    });
  });

  test('once the owner verified the address, signing up with it again is refused', async () => {
    const email = `owner-${randomUUID()}@example.test`;
    await signUp(email);
    const link = /http:\/\/localhost:4100\/verify\/[A-Za-z0-9_.-]+/.exec(
      await mail.waitForMailTo(email),
    )?.[0];
    expect(await openLink(link ?? '')).toBe('/verify?result=verified');
    const again = await call(signupRoute.POST, {
      method: 'POST',
      path: '/auth/signup',
      params: {},
      body: { email, password: 'another long password' },
      headers: { origin: dashboardOrigin },
    });
    expect(again.status).toBe(409);
    expect(errorResponse.parse(await again.json()).error.message).toBe(
      'An account with this email already exists. Sign in instead.',
    );
  });
});
