// What each API route needs, by the role rules: a viewer reads; a developer changes apps,
// deployments and secrets; an owner manages members and invitations. Keyed by "METHOD /path" as
// the route's folder under app/api/v1 spells it. role-matrix.test.ts calls each with every role.
import type { MemberRole } from '@cove/shared/db/schema/identity';

/** Things in workspace A made fresh for each call. */
export interface Fixture {
  appName: string;
  deploymentId: string;
  /** A developer of workspace A other than the callers. */
  memberUserId: string;
  /** A pending invitation of workspace A. */
  invitationId: string;
  /** An invitation for the caller's own email (to a workspace of its own). */
  invitationToken: string;
  ownWorkspaceId: string;
}

export interface RouteRequest {
  path: string;
  params: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export type RouteRule =
  /** No sign-in: every caller gets the same status (a bearer token neither helps nor hurts). */
  | { access: 'public'; status: number; request: (fixture: Fixture) => RouteRequest }
  /** Any signed-in person, whatever their role (their own session or invitation). */
  | { access: 'any-user'; request: (fixture: Fixture) => RouteRequest }
  /** Signed-in browser sessions only: every bearer token is refused (403), whatever its role. */
  | { access: 'session-only'; request: (fixture: Fixture) => RouteRequest }
  | {
      access: MemberRole;
      /** What another workspace's owner gets: not-found for A's things, or their own workspace's. */
      outsider: 'not-found' | 'own';
      request: (fixture: Fixture) => RouteRequest;
    };

const app =
  (suffix = '') =>
  (f: Fixture) => ({ path: `/apps/${f.appName}${suffix}`, params: { name: f.appName } });
const deployment =
  (suffix = '') =>
  (f: Fixture) => ({
    path: `/apps/${f.appName}/deployments/${f.deploymentId}${suffix}`,
    params: { name: f.appName, id: f.deploymentId },
  });
const plain = (routePath: string, body?: unknown) => () => ({
  path: routePath,
  params: {},
  ...(body === undefined ? {} : { body }),
});
const repo = (suffix: string) => () => ({
  path: `/github/repos/octo/demo/${suffix}`,
  params: { owner: 'octo', repo: 'demo' },
});

const unknownTokenId = '00000000-0000-4000-8000-000000000000';

export const routeRules: Record<string, RouteRule> = {
  'POST /auth/signup': { access: 'public', status: 400, request: plain('/auth/signup', {}) },
  'POST /auth/login': { access: 'public', status: 400, request: plain('/auth/login', {}) },
  'POST /auth/logout': { access: 'public', status: 200, request: plain('/auth/logout') },
  'GET /openapi.json': { access: 'public', status: 200, request: plain('/openapi.json') },
  'GET /invitations/[token]': {
    access: 'public',
    status: 200,
    request: (f) => ({ path: `/invitations/${f.invitationToken}`, params: { token: f.invitationToken } }),
  },
  // Unsigned: refused the same for everyone.
  'POST /webhooks/[name]': {
    access: 'public',
    status: 401,
    request: (f) => ({ path: `/webhooks/${f.appName}`, params: { name: f.appName }, rawBody: '{}' }),
  },
  // GitHub is not configured in this test: not found, the same for everyone.
  'POST /github/webhook': {
    access: 'public',
    status: 404,
    request: () => ({ path: '/github/webhook', params: {}, rawBody: '{}' }),
  },

  'GET /session': { access: 'any-user', request: plain('/session') },
  'GET /session/workspace': { access: 'any-user', request: plain('/session/workspace') },
  // Mails (here: with no mail configured, explains) a new verification link for the caller's own address.
  'POST /session/verification': { access: 'any-user', request: plain('/session/verification', {}) },
  // A bearer token cannot move (400) whatever its role; a session can (workspace-teams.test.ts).
  'POST /session/workspace': {
    access: 'any-user',
    request: (f) => ({ path: '/session/workspace', params: {}, body: { workspaceId: f.ownWorkspaceId } }),
  },
  'POST /invitations/[token]/accept': {
    access: 'any-user',
    request: (f) => ({
      path: `/invitations/${f.invitationToken}/accept`,
      params: { token: f.invitationToken },
    }),
  },

  'GET /apps': { access: 'viewer', outsider: 'own', request: plain('/apps') },
  'GET /apps/[name]': { access: 'viewer', outsider: 'not-found', request: app() },
  'GET /apps/[name]/deployments': { access: 'viewer', outsider: 'not-found', request: app('/deployments') },
  'GET /apps/[name]/history': { access: 'viewer', outsider: 'not-found', request: app('/history') },
  'GET /apps/[name]/analytics': { access: 'viewer', outsider: 'not-found', request: app('/analytics') },
  'GET /apps/[name]/metrics': { access: 'viewer', outsider: 'not-found', request: app('/metrics') },
  'GET /apps/[name]/deployments/[id]': { access: 'viewer', outsider: 'not-found', request: deployment() },
  'GET /apps/[name]/deployments/[id]/logs': {
    access: 'viewer',
    outsider: 'not-found',
    request: deployment('/logs'),
  },
  'GET /apps/[name]/secrets': { access: 'viewer', outsider: 'not-found', request: app('/secrets') },
  'GET /apps/[name]/access': { access: 'viewer', outsider: 'not-found', request: app('/access') },
  'GET /workspace': { access: 'viewer', outsider: 'own', request: plain('/workspace') },
  'PATCH /workspace': { access: 'owner', outsider: 'own', request: plain('/workspace', { name: 'Renamed' }) },
  'GET /workspace/members': { access: 'viewer', outsider: 'own', request: plain('/workspace/members') },
  'GET /tokens': { access: 'viewer', outsider: 'own', request: plain('/tokens') },
  /** Nobody's token: 404 for every caller allowed to ask, and no caller's own token is lost. */
  'DELETE /tokens/[id]': {
    access: 'viewer',
    outsider: 'own',
    request: () => ({ path: `/tokens/${unknownTokenId}`, params: { id: unknownTokenId } }),
  },
  'GET /github/installations': { access: 'viewer', outsider: 'own', request: plain('/github/installations') },

  'POST /tokens': { access: 'session-only', request: plain('/tokens', { name: 'matrix' }) },
  'POST /apps': {
    access: 'developer',
    outsider: 'own',
    request: plain('/apps', { name: 'matrix-new', repoUrl: 'http://127.0.0.1:9/repo.git' }),
  },
  'PATCH /apps/[name]': {
    access: 'developer',
    outsider: 'not-found',
    request: (f) => ({ ...app()(f), body: { freezeAfterSeconds: 60 } }),
  },
  'DELETE /apps/[name]': { access: 'developer', outsider: 'not-found', request: app() },
  'GET /apps/[name]/webhook': { access: 'developer', outsider: 'not-found', request: app('/webhook') },
  'POST /apps/[name]/webhook/rotate': {
    access: 'developer',
    outsider: 'not-found',
    request: app('/webhook/rotate'),
  },
  'POST /apps/[name]/reboot': { access: 'developer', outsider: 'not-found', request: app('/reboot') },
  'POST /apps/[name]/sleep': { access: 'developer', outsider: 'not-found', request: app('/sleep') },
  'POST /apps/[name]/wake': { access: 'developer', outsider: 'not-found', request: app('/wake') },
  'POST /apps/[name]/deployments': {
    access: 'developer',
    outsider: 'not-found',
    request: app('/deployments'),
  },
  'POST /apps/[name]/deployments/[id]/cancel': {
    access: 'developer',
    outsider: 'not-found',
    request: deployment('/cancel'),
  },
  'POST /apps/[name]/deployments/[id]/rollback': {
    access: 'developer',
    outsider: 'not-found',
    request: deployment('/rollback'),
  },
  // The fixture's app deploys from git: a developer is told so (409), an outsider finds no app.
  'POST /apps/[name]/uploads': {
    access: 'developer',
    outsider: 'not-found',
    request: (f) => ({
      ...app('/uploads')(f),
      rawBody: 'not a tar',
      headers: { 'content-type': 'application/gzip' },
    }),
  },
  'PUT /apps/[name]/secrets': {
    access: 'developer',
    outsider: 'not-found',
    request: (f) => ({ ...app('/secrets')(f), rawBody: 'API_KEY = "matrix"\n' }),
  },
  'DELETE /apps/[name]/secrets': { access: 'developer', outsider: 'not-found', request: app('/secrets') },
  'POST /apps/[name]/secrets/reveal': {
    access: 'developer',
    outsider: 'not-found',
    request: app('/secrets/reveal'),
  },
  'PUT /apps/[name]/access': {
    access: 'developer',
    outsider: 'not-found',
    request: (f) => ({ ...app('/access')(f), body: { emails: ['guest@example.com'] } }),
  },
  'GET /github/connect': { access: 'developer', outsider: 'own', request: plain('/github/connect') },
  'GET /github/setup': { access: 'developer', outsider: 'own', request: plain('/github/setup') },
  'GET /github/repos': { access: 'developer', outsider: 'own', request: plain('/github/repos') },
  'GET /github/repos/[owner]/[repo]/branches': {
    access: 'developer',
    outsider: 'own',
    request: repo('branches'),
  },
  'GET /github/repos/[owner]/[repo]/files': { access: 'developer', outsider: 'own', request: repo('files') },

  'PATCH /workspace/members/[userId]': {
    access: 'owner',
    outsider: 'not-found',
    request: (f) => ({
      path: `/workspace/members/${f.memberUserId}`,
      params: { userId: f.memberUserId },
      body: { role: 'viewer' },
    }),
  },
  'DELETE /workspace/members/[userId]': {
    access: 'owner',
    outsider: 'not-found',
    request: (f) => ({ path: `/workspace/members/${f.memberUserId}`, params: { userId: f.memberUserId } }),
  },
  'GET /workspace/invitations': {
    access: 'owner',
    outsider: 'own',
    request: plain('/workspace/invitations'),
  },
  'POST /workspace/invitations': {
    access: 'owner',
    outsider: 'own',
    request: plain('/workspace/invitations', { email: 'matrix-invitee@example.com', role: 'developer' }),
  },
  'DELETE /workspace/invitations/[id]': {
    access: 'owner',
    outsider: 'not-found',
    request: (f) => ({ path: `/workspace/invitations/${f.invitationId}`, params: { id: f.invitationId } }),
  },
};
