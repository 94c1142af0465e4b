// Teams through the API as the dashboard's pages use it: invite (no mail configured: the link is in
// the answer), sign up with the invited email and accept, switch workspaces, change roles, leave.
import { randomUUID } from 'node:crypto';
import { auditLog } from '@cove/shared/db/schema/secrets';
import type { TestContext } from '@cove/shared/testing/context';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import * as signupRoute from '../../app/api/v1/auth/signup/route';
import * as acceptRoute from '../../app/api/v1/invitations/[token]/accept/route';
import * as previewRoute from '../../app/api/v1/invitations/[token]/route';
import * as sessionRoute from '../../app/api/v1/session/route';
import * as sessionWorkspaceRoute from '../../app/api/v1/session/workspace/route';
import * as revokeRoute from '../../app/api/v1/workspace/invitations/[id]/route';
import * as invitationsRoute from '../../app/api/v1/workspace/invitations/route';
import * as memberRoute from '../../app/api/v1/workspace/members/[userId]/route';
import * as membersRoute from '../../app/api/v1/workspace/members/route';
import * as workspaceRoute from '../../app/api/v1/workspace/route';
import {
  call,
  dashboardOrigin,
  signUpWithToken,
  startDashboardContext,
  stopDashboardContext,
} from './harness';

let context: TestContext;
beforeAll(async () => {
  context = await startDashboardContext();
});
afterAll(async () => {
  await stopDashboardContext(context);
});

const fromDashboard = { origin: dashboardOrigin };
const invitationAnswer = z.object({
  invitation: z.object({ id: z.uuid() }),
  link: z.url(),
  message: z.string(),
});
const sessionAnswer = z.object({
  user: z.object({ id: z.uuid() }),
  workspace: z.object({ id: z.uuid(), name: z.string() }),
});

async function signUpAs(email: string) {
  const response = await call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email, password: 'a long enough password' },
    headers: fromDashboard,
  });
  expect(response.status).toBe(201);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, ...sessionAnswer.parse(await response.json()) };
}

async function sessionOf(cookie: string) {
  return sessionAnswer.parse(
    await (await call(sessionRoute.GET, { path: '/session', params: {}, cookie })).json(),
  );
}

test('an invited person signs up with the invited email, accepts, switches and leaves', async () => {
  const owner = await signUpWithToken();
  const email = `invitee-${randomUUID()}@example.com`;
  const invited = await call(invitationsRoute.POST, {
    method: 'POST',
    path: '/workspace/invitations',
    params: {},
    token: owner.token,
    body: { email, role: 'developer' },
  });
  expect(invited.status).toBe(201);
  const { link, message, invitation } = invitationAnswer.parse(await invited.json());
  expect(message).toBe(
    `No mail is configured on this Cove, so nothing was sent: copy the link and pass it on to ${email}.`,
  );
  const token = link.split('/invite/')[1] ?? '';
  expect(link).toBe(`http://localhost:4100/invite/${token}`);

  const preview = await call(previewRoute.GET, { path: `/invitations/${token}`, params: { token } });
  expect(await preview.json()).toMatchObject({ email, role: 'developer', state: 'pending' });

  const invitee = await signUpAs(email);
  const accepted = await call(acceptRoute.POST, {
    method: 'POST',
    path: `/invitations/${token}/accept`,
    params: { token },
    cookie: invitee.cookie,
    headers: fromDashboard,
  });
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toMatchObject({ workspace: { id: owner.workspaceId, role: 'developer' } });
  // The browser session is now in the team's workspace.
  expect((await sessionOf(invitee.cookie)).workspace.id).toBe(owner.workspaceId);
  const listed = await call(sessionWorkspaceRoute.GET, {
    path: '/session/workspace',
    params: {},
    cookie: invitee.cookie,
  });
  expect(await listed.json()).toEqual({
    workspaces: [
      { id: invitee.workspace.id, name: invitee.workspace.name, role: 'owner', isCurrent: false },
      { id: owner.workspaceId, name: expect.any(String), role: 'developer', isCurrent: true },
    ],
  });
  // The invitation is used up and no longer pending.
  const pending = await call(invitationsRoute.GET, {
    path: '/workspace/invitations',
    params: {},
    token: owner.token,
  });
  expect(await pending.json()).toEqual({ invitations: [], isMailConfigured: false });
  const revoked = await call(revokeRoute.DELETE, {
    method: 'DELETE',
    path: `/workspace/invitations/${invitation.id}`,
    params: { id: invitation.id },
    token: owner.token,
  });
  expect(revoked.status).toBe(404);

  const switchTo = (workspaceId: string, auth: { cookie?: string; token?: string }) =>
    call(sessionWorkspaceRoute.POST, {
      method: 'POST',
      path: '/session/workspace',
      params: {},
      body: { workspaceId },
      headers: fromDashboard,
      ...auth,
    });
  expect((await switchTo(invitee.workspace.id, { cookie: invitee.cookie })).status).toBe(200);
  expect((await sessionOf(invitee.cookie)).workspace.id).toBe(invitee.workspace.id);
  const stranger = await signUpWithToken();
  const refused = await switchTo(stranger.workspaceId, { cookie: invitee.cookie });
  expect(refused.status).toBe(404);
  expect((await sessionOf(invitee.cookie)).workspace.id).toBe(invitee.workspace.id);
  const byToken = await switchTo(stranger.workspaceId, { token: owner.token });
  expect(byToken.status).toBe(400);
  expect((await byToken.json()).error.message).toMatch(
    /An API token belongs to the workspace it was created in/,
  );
  expect((await switchTo(owner.workspaceId, { cookie: invitee.cookie })).status).toBe(200);

  // The owner makes them a viewer; a viewer cannot change roles.
  const patch = (userId: string, role: string, auth: { cookie?: string; token?: string }) =>
    call(memberRoute.PATCH, {
      method: 'PATCH',
      path: `/workspace/members/${userId}`,
      params: { userId },
      body: { role },
      headers: fromDashboard,
      ...auth,
    });
  expect(await (await patch(invitee.user.id, 'viewer', { token: owner.token })).json()).toMatchObject({
    email,
    role: 'viewer',
  });
  expect((await patch(owner.userId, 'viewer', { cookie: invitee.cookie })).status).toBe(403);
  const badRole = await patch(invitee.user.id, 'admin', { token: owner.token });
  expect((await badRole.json()).error.fields.role).toBe('Choose a role: owner, developer or viewer.');
  const lastOwner = await patch(owner.userId, 'developer', { token: owner.token });
  expect(lastOwner.status).toBe(409);

  // Leaving moves the browser session to the person's own workspace.
  const left = await call(memberRoute.DELETE, {
    method: 'DELETE',
    path: `/workspace/members/${invitee.user.id}`,
    params: { userId: invitee.user.id },
    cookie: invitee.cookie,
    headers: fromDashboard,
  });
  expect(left.status).toBe(200);
  expect((await left.json()).message).toBe(
    `You left the workspace. You are now in ${invitee.workspace.name}.`,
  );
  const newCookie = (left.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect((await sessionOf(newCookie)).workspace.id).toBe(invitee.workspace.id);
  const members = await call(membersRoute.GET, {
    path: '/workspace/members',
    params: {},
    token: owner.token,
  });
  expect((await members.json()).members.map((member: { email: string }) => member.email)).toEqual([
    owner.email,
  ]);
});

test('accepting with another account is refused with a plain message', async () => {
  const owner = await signUpWithToken();
  const other = await signUpWithToken();
  const invited = await call(invitationsRoute.POST, {
    method: 'POST',
    path: '/workspace/invitations',
    params: {},
    token: owner.token,
    body: { email: 'someone-else@example.com', role: 'viewer' },
  });
  const token = invitationAnswer.parse(await invited.json()).link.split('/invite/')[1] ?? '';
  const refused = await call(acceptRoute.POST, {
    method: 'POST',
    path: `/invitations/${token}/accept`,
    params: { token },
    cookie: other.cookie,
    headers: fromDashboard,
  });
  expect(refused.status).toBe(403);
  expect((await refused.json()).error.message).toBe(
    `This invitation is for someone-else@example.com, and you are signed in as ${other.email}. Sign out, then sign in or sign up as someone-else@example.com.`,
  );
  const unknown = await call(previewRoute.GET, { path: '/invitations/nope', params: { token: 'nope' } });
  expect(unknown.status).toBe(404);
});

test('an owner renames the workspace; a bad name is refused in plain words; another owner renames only theirs', async () => {
  const owner = await signUpWithToken();
  const rename = (token: string, body: unknown) =>
    call(workspaceRoute.PATCH, { method: 'PATCH', path: '/workspace', params: {}, token, body });

  const renamed = await rename(owner.token, { name: '  Data team  ' });
  expect(renamed.status).toBe(200);
  expect((await renamed.json()).name).toBe('Data team');
  const read = await call(workspaceRoute.GET, { path: '/workspace', params: {}, token: owner.token });
  expect((await read.json()).name).toBe('Data team');
  const audit = await context.db
    .select({ action: auditLog.action, keyNames: auditLog.keyNames })
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, owner.workspaceId), eq(auditLog.action, 'workspace.rename')));
  expect(audit).toHaveLength(1);
  expect(audit[0]?.keyNames[1]).toBe('Data team');

  for (const [name, message] of [
    ['   ', 'Give the workspace a name.'],
    ['x'.repeat(61), 'A workspace name has at most 60 characters.'],
    ['two\nlines', 'A workspace name is one line of text.'],
  ] as const) {
    const refused = await rename(owner.token, { name });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain(message);
  }

  // Another workspace's owner renames only their own (roles: role-matrix.test.ts).
  const other = await signUpWithToken();
  expect((await rename(other.token, { name: 'Mine' })).status).toBe(200);
  const after = await call(workspaceRoute.GET, { path: '/workspace', params: {}, token: owner.token });
  expect((await after.json()).name).toBe('Data team');
});
