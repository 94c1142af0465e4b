// What tenant B tries against tenant A through each route of the API's route table
// (services/shared/src/contracts/routes.ts), keyed as the table spells it: "POST /apps/{name}/wake".
// two-tenants.test.ts runs every attempt with B's API token and with B's browser session, and fails
// naming any route of the table that has no row here, so a new route cannot skip this review.
import { createHmac, randomUUID } from 'node:crypto';

/** Tenant A's things, made through the API and the shared code before B tries anything. */
export interface TenantA {
  email: string;
  userId: string;
  workspaceId: string;
  appName: string;
  appId: string;
  /** Live (running), an earlier one that went live (superseded), and a queued build. */
  liveDeploymentId: string;
  earlierDeploymentId: string;
  queuedDeploymentId: string;
  tokenId: string;
  token: string;
  invitationId: string;
  invitationToken: string;
  invitedEmail: string;
  accessEmail: string;
  webhookSecret: string;
  secretValue: string;
  buildLogLine: string;
  runtimeLogLine: string;
}

/** Tenant B: an account, a workspace and an app of its own. */
export interface TenantB {
  email: string;
  appName: string;
  webhookSecret: string;
}

/**
 * What B must get: a status (A's things are not found: 404, the API's convention for another
 * workspace's things), or 'own' for a route that acts on B's own things only: any answer but a 5xx,
 * which must show nothing of A's.
 */
export type Outcome = number | 'own';

export interface Attempt {
  what: string;
  /** Relative to /api/v1, query included. */
  path: string;
  params: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** The same for B's token and B's session unless told apart. Default: 404. */
  outcome?: Outcome | { token: Outcome; session: Outcome };
  /** What of A's the answer may show because B already holds it (e.g. what an invite link shows). */
  mayShow?: string[];
}

export type RouteCoverage =
  | { attempts: (a: TenantA, b: TenantB) => Attempt[] }
  /** The route names nothing that belongs to a tenant: why. */
  | { notTenantScoped: string };

const app = (name: string, suffix = '') => ({ path: `/apps/${name}${suffix}`, params: { name } });
const deployment = (name: string, id: string, suffix = '') => ({
  path: `/apps/${name}/deployments/${id}${suffix}`,
  params: { name, id },
});
const own = (path: string, extra: Partial<Attempt> = {}): Attempt[] => [
  { what: 'its own', path, params: {}, outcome: 'own', ...extra },
];

/** A GitHub-style push delivery for `appName`, signed with `secret`. */
function signedPush(appName: string, secret: string): Pick<Attempt, 'rawBody' | 'headers'> {
  const sha = 'b'.repeat(40);
  const rawBody = JSON.stringify({
    ref: 'refs/heads/main',
    after: sha,
    deleted: false,
    head_commit: { id: sha, message: `push to ${appName}`, author: { name: 'B' } },
  });
  const signature = createHmac('sha256', secret).update(rawBody).digest('hex');
  return {
    rawBody,
    headers: {
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${signature}`,
    },
  };
}

const gitHubNotTenantScoped =
  "acts on the caller's own workspace's GitHub installation (github-connect.test.ts checks another workspace's)";

export const crossTenantAttempts: Record<string, RouteCoverage> = {
  'POST /auth/signup': { notTenantScoped: 'creates a new account and its own workspace' },
  'POST /auth/login': {
    attempts: (a) => [
      {
        what: "sign in as A with B's guess of the password",
        path: '/auth/login',
        params: {},
        body: { email: a.email, password: 'not A password at all' },
        outcome: 401,
      },
    ],
  },
  'POST /auth/logout': { notTenantScoped: "ends the caller's own browser session" },
  'GET /session': { attempts: () => own('/session') },
  'POST /session/verification': { attempts: () => own('/session/verification', { body: {} }) },
  'POST /tokens': {
    attempts: () => own('/tokens', { body: { name: 'b-own' }, outcome: { token: 403, session: 'own' } }),
  },
  'GET /tokens': { attempts: () => own('/tokens') },
  'DELETE /tokens/{id}': {
    attempts: (a) => [
      { what: "revoke A's token by its id", path: `/tokens/${a.tokenId}`, params: { id: a.tokenId } },
    ],
  },
  'GET /apps': { attempts: () => own('/apps') },
  'POST /apps': {
    attempts: (a) => [
      {
        what: "create an app under A's app name (its subdomain)",
        path: '/apps',
        params: {},
        body: { name: a.appName, repoUrl: 'http://127.0.0.1:9/repo.git' },
        outcome: 409,
      },
    ],
  },
  'GET /apps/{name}': { attempts: (a) => [{ what: "read A's app", ...app(a.appName) }] },
  'PATCH /apps/{name}': {
    attempts: (a, b) => [
      { what: "make A's app public", ...app(a.appName), body: { visibility: 'public' } },
      { what: "rename A's app", ...app(a.appName), body: { name: `taken-${randomUUID().slice(0, 8)}` } },
      { what: "point A's app at another branch", ...app(a.appName), body: { branch: 'evil' } },
      { what: "rename B's app to A's name", ...app(b.appName), body: { name: a.appName }, outcome: 409 },
    ],
  },
  'DELETE /apps/{name}': { attempts: (a) => [{ what: "delete A's app", ...app(a.appName) }] },
  'GET /apps/{name}/webhook': {
    attempts: (a) => [{ what: "read A's webhook secret", ...app(a.appName, '/webhook') }],
  },
  'POST /apps/{name}/webhook/rotate': {
    attempts: (a) => [{ what: "replace A's webhook secret", ...app(a.appName, '/webhook/rotate') }],
  },
  'GET /apps/{name}/access': {
    attempts: (a) => [{ what: "read A's access list", ...app(a.appName, '/access') }],
  },
  'PUT /apps/{name}/access': {
    attempts: (a, b) => [
      { what: "put B on A's access list", ...app(a.appName, '/access'), body: { emails: [b.email] } },
    ],
  },
  'POST /apps/{name}/reboot': { attempts: (a) => [{ what: "reboot A's app", ...app(a.appName, '/reboot') }] },
  'POST /apps/{name}/sleep': {
    attempts: (a) => [
      { what: "stop A's app", ...app(a.appName, '/sleep') },
      { what: "freeze A's app", ...app(a.appName, '/sleep'), body: { depth: 'freeze' } },
    ],
  },
  'POST /apps/{name}/wake': { attempts: (a) => [{ what: "wake A's app", ...app(a.appName, '/wake') }] },
  'GET /apps/{name}/secrets': {
    attempts: (a) => [{ what: "read A's secret keys", ...app(a.appName, '/secrets') }],
  },
  'POST /apps/{name}/secrets/reveal': {
    attempts: (a) => [{ what: "reveal A's secrets", ...app(a.appName, '/secrets/reveal') }],
  },
  'PUT /apps/{name}/secrets': {
    attempts: (a) => [
      {
        what: "overwrite A's secrets",
        ...app(a.appName, '/secrets'),
        rawBody: 'API_KEY = "written by B"\n',
        headers: { 'content-type': 'text/plain' },
      },
    ],
  },
  'DELETE /apps/{name}/secrets': {
    attempts: (a) => [{ what: "remove A's secrets", ...app(a.appName, '/secrets') }],
  },
  'GET /apps/{name}/deployments': {
    attempts: (a) => [{ what: "list A's deployments", ...app(a.appName, '/deployments') }],
  },
  'GET /apps/{name}/history': {
    attempts: (a) => [{ what: "read A's history", ...app(a.appName, '/history') }],
  },
  'GET /apps/{name}/analytics': {
    attempts: (a) => [{ what: "read A's viewers", ...app(a.appName, '/analytics') }],
  },
  'GET /apps/{name}/metrics': {
    attempts: (a) => [{ what: "read A's CPU and memory", ...app(a.appName, '/metrics') }],
  },
  'POST /apps/{name}/uploads': {
    attempts: (a) => [
      {
        what: "deploy a folder to A's app",
        ...app(a.appName, '/uploads'),
        rawBody: 'streamlit_app.py written by B',
        headers: { 'content-type': 'application/gzip' },
      },
    ],
  },
  'POST /apps/{name}/deployments': {
    attempts: (a) => [{ what: "redeploy A's app", ...app(a.appName, '/deployments') }],
  },
  'GET /apps/{name}/deployments/{id}': {
    attempts: (a, b) => [
      { what: "read A's deployment", ...deployment(a.appName, a.liveDeploymentId) },
      { what: "read A's deployment under B's app", ...deployment(b.appName, a.liveDeploymentId) },
    ],
  },
  'GET /apps/{name}/deployments/{id}/logs': {
    attempts: (a, b) =>
      [a.appName, b.appName].flatMap((name) =>
        ['stream=build', 'stream=runtime', 'stream=build&follow=1', 'stream=runtime&follow=1'].map(
          (query) => {
            const target = deployment(name, a.liveDeploymentId, `/logs?${query}`);
            return { what: `A's logs (${query}) under ${name === a.appName ? "A's" : "B's"} app`, ...target };
          },
        ),
      ),
  },
  'POST /apps/{name}/deployments/{id}/cancel': {
    attempts: (a, b) => [
      { what: "cancel A's queued build", ...deployment(a.appName, a.queuedDeploymentId, '/cancel') },
      { what: "cancel A's build under B's app", ...deployment(b.appName, a.queuedDeploymentId, '/cancel') },
    ],
  },
  'POST /apps/{name}/deployments/{id}/rollback': {
    attempts: (a, b) => [
      { what: "make A's earlier version live", ...deployment(a.appName, a.earlierDeploymentId, '/rollback') },
      {
        what: "make A's earlier version (its image) live in B's app",
        ...deployment(b.appName, a.earlierDeploymentId, '/rollback'),
      },
    ],
  },
  'POST /webhooks/{name}': {
    attempts: (a, b) => [
      { what: "push to A's app signed with B's webhook secret", ...app(a.appName), ...webhookPath(a, b) },
      { what: "push to A's app unsigned", ...app(a.appName), ...webhookPath(a), rawBody: '{}', headers: {} },
    ],
  },
  'GET /workspace': { attempts: () => own('/workspace') },
  'PATCH /workspace': { attempts: () => own('/workspace', { body: { name: 'B renamed' } }) },
  'GET /workspace/members': { attempts: () => own('/workspace/members') },
  'PATCH /workspace/members/{userId}': {
    attempts: (a) => [
      {
        what: "demote A's owner",
        path: `/workspace/members/${a.userId}`,
        params: { userId: a.userId },
        body: { role: 'viewer' },
      },
    ],
  },
  'DELETE /workspace/members/{userId}': {
    attempts: (a) => [
      { what: "remove A's owner", path: `/workspace/members/${a.userId}`, params: { userId: a.userId } },
    ],
  },
  'GET /workspace/invitations': { attempts: () => own('/workspace/invitations') },
  'POST /workspace/invitations': {
    attempts: () =>
      own('/workspace/invitations', {
        body: { email: `b-guest-${randomUUID()}@example.com`, role: 'viewer' },
      }),
  },
  'DELETE /workspace/invitations/{id}': {
    attempts: (a) => [
      {
        what: "withdraw A's invitation",
        path: `/workspace/invitations/${a.invitationId}`,
        params: { id: a.invitationId },
      },
    ],
  },
  'GET /invitations/{token}': {
    notTenantScoped:
      'whoever holds an invite link may see what it is for: the link is the secret (single use, for one email)',
  },
  'POST /invitations/{token}/accept': {
    attempts: (a) => [
      {
        what: "join A's workspace with an invitation sent to someone else",
        path: `/invitations/${a.invitationToken}/accept`,
        params: { token: a.invitationToken },
        outcome: 403,
        // The refusal names the invited address, as the link's own preview does to whoever holds it.
        mayShow: [a.invitedEmail],
      },
    ],
  },
  'GET /session/workspace': { attempts: () => own('/session/workspace') },
  'POST /session/workspace': {
    attempts: (a) => [
      {
        what: "move into A's workspace",
        path: '/session/workspace',
        params: {},
        body: { workspaceId: a.workspaceId },
        // A token never moves (400, whatever the workspace); a session is told there is no such one.
        outcome: { token: 400, session: 404 },
      },
    ],
  },
  'GET /github/installations': { attempts: () => own('/github/installations') },
  'GET /github/connect': { notTenantScoped: gitHubNotTenantScoped },
  'GET /github/setup': { notTenantScoped: gitHubNotTenantScoped },
  'GET /github/repos': { notTenantScoped: gitHubNotTenantScoped },
  'GET /github/repos/{owner}/{repo}/branches': { notTenantScoped: gitHubNotTenantScoped },
  'GET /github/repos/{owner}/{repo}/files': { notTenantScoped: gitHubNotTenantScoped },
  'POST /github/webhook': { notTenantScoped: "signed with the operator's GitHub App secret, not a tenant's" },
  'GET /openapi.json': { notTenantScoped: 'the same document for everyone' },
};

function webhookPath(a: TenantA, b?: TenantB): Pick<Attempt, 'path' | 'rawBody' | 'headers' | 'outcome'> {
  return {
    path: `/webhooks/${a.appName}`,
    ...(b ? signedPush(a.appName, b.webhookSecret) : {}),
    outcome: 401,
  };
}
