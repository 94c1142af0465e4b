// The route table of /api/v1: each route's method, path, contracts and answers. The OpenAPI
// document is generated from it, and a test checks the dashboard serves every route listed here.
import type { z } from 'zod';
import * as api from './api';
import { gitHubRoutes, gitHubSchemas } from './github-routes';
import * as insights from './insights';

/** Named schemas: the OpenAPI document's components. */
export const apiSchemas = {
  CreateAppRequest: api.createAppRequest,
  CreateAppResponse: api.createAppResponse,
  AppView: api.appView,
  ListAppsResponse: api.listAppsResponse,
  UploadDeploymentResponse: api.uploadDeploymentResponse,
  DeploymentView: api.deploymentView,
  DeploymentResponse: api.deploymentResponse,
  ListDeploymentsResponse: api.listDeploymentsResponse,
  AppTransitionView: api.appTransitionView,
  AppHistoryResponse: api.appHistoryResponse,
  AppAnalyticsResponse: insights.appAnalyticsResponse,
  AppMetricsResponse: insights.appMetricsResponse,
  WebhookView: api.webhookView,
  SignUpRequest: api.signUpRequest,
  SignInRequest: api.signInRequest,
  SessionResponse: api.sessionResponse,
  SignUpResponse: api.signUpResponse,
  VerificationMailResponse: api.verificationMailResponse,
  CreateTokenRequest: api.createTokenRequest,
  CreateTokenResponse: api.createTokenResponse,
  ApiTokenView: api.apiTokenView,
  ListTokensResponse: api.listTokensResponse,
  MessageResponse: api.messageResponse,
  SleepAppRequest: api.sleepAppRequest,
  WebhookAcceptedResponse: api.webhookAcceptedResponse,
  LogLineEvent: api.logLineEvent,
  SecretsView: api.secretsView,
  ReplaceSecretsResponse: api.replaceSecretsResponse,
  RevealedSecrets: api.revealedSecrets,
  UpdateAppRequest: api.updateAppRequest,
  UpdateAppResponse: api.updateAppResponse,
  ErrorResponse: api.errorResponse,
  WorkspaceView: api.workspaceView,
  RenameWorkspaceRequest: api.renameWorkspaceRequest,
  MemberView: api.memberView,
  ListMembersResponse: api.listMembersResponse,
  UpdateMemberRequest: api.updateMemberRequest,
  InvitationView: api.invitationView,
  ListInvitationsResponse: api.listInvitationsResponse,
  CreateInvitationRequest: api.createInvitationRequest,
  CreateInvitationResponse: api.createInvitationResponse,
  InvitationPreview: api.invitationPreview,
  AcceptInvitationResponse: api.acceptInvitationResponse,
  WorkspaceMembershipView: api.workspaceMembershipView,
  ListWorkspacesResponse: api.listWorkspacesResponse,
  SwitchWorkspaceRequest: api.switchWorkspaceRequest,
  AppAccessView: api.appAccessView,
  ReplaceAppAccessRequest: api.replaceAppAccessRequest,
  ReplaceAppAccessResponse: api.replaceAppAccessResponse,
  ...gitHubSchemas,
} satisfies Record<string, z.ZodType>;
export type ApiSchemaName = keyof typeof apiSchemas;

export type ApiAuth = 'none' | 'user' | 'webhook-signature';

export interface ApiAnswer {
  description: string;
  /** JSON body named in apiSchemas; or a non-JSON content type. */
  schema?: ApiSchemaName;
  contentType?: string;
}

export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form, relative to /api/v1: /apps/{name} */
  path: string;
  operationId: string;
  summary: string;
  auth: ApiAuth;
  request?: ApiSchemaName;
  /** The JSON body may be left out (every field has a default). */
  isRequestOptional?: boolean;
  /** A request body that is not JSON, e.g. the secrets' TOML as text/plain. */
  requestContentType?: string;
  query?: z.ZodObject;
  /** The success answer's status. */
  status: number;
  answer: ApiAnswer;
  /** Error statuses worth documenting beside the generic ones. */
  errors?: readonly number[];
}

export const apiBasePath = '/api/v1';

const json = <Schema extends ApiSchemaName>(schema: Schema, description: string) => ({ schema, description });

/**
 * Cove's own routes with their literal types, so a typed client (the CLI's) takes each operation's
 * path, method and answer from here instead of a copy.
 */
export const coreApiRoutes = [
  {
    method: 'post',
    path: '/auth/signup',
    operationId: 'signUp',
    summary:
      'Create an account and its workspace; sets the session cookie, and mails a link that verifies the address (when mail is configured).',
    auth: 'none',
    request: 'SignUpRequest',
    status: 201,
    answer: json('SignUpResponse', 'The new account, and whether the verification link went out.'),
    errors: [400, 409],
  },
  {
    method: 'post',
    path: '/auth/login',
    operationId: 'signIn',
    summary: 'Sign in with email and password; sets the session cookie.',
    auth: 'none',
    request: 'SignInRequest',
    status: 200,
    answer: json('SessionResponse', 'The signed-in account.'),
    errors: [400, 401],
  },
  {
    method: 'post',
    path: '/auth/logout',
    operationId: 'signOut',
    summary: 'End the browser session.',
    auth: 'none',
    status: 200,
    answer: json('MessageResponse', 'Signed out.'),
  },
  {
    method: 'get',
    path: '/session',
    operationId: 'getSession',
    summary: 'Who is calling, and in which workspace.',
    auth: 'user',
    status: 200,
    answer: json('SessionResponse', 'The caller.'),
  },
  {
    method: 'post',
    path: '/session/verification',
    operationId: 'sendVerificationMail',
    summary: "Mail the caller a new link that verifies the account's address.",
    auth: 'user',
    status: 200,
    answer: json('VerificationMailResponse', 'Whether the link went out, and what that means.'),
    errors: [401, 429],
  },
  {
    method: 'post',
    path: '/tokens',
    operationId: 'createToken',
    summary:
      'Create an API token for the calling user in the current workspace (developer role), with a scope and an optional expiry. Signed-in dashboard sessions only: a token cannot create tokens (403).',
    auth: 'user',
    request: 'CreateTokenRequest',
    status: 201,
    answer: json('CreateTokenResponse', 'The token, shown once.'),
    errors: [400, 403],
  },
  {
    method: 'get',
    path: '/tokens',
    operationId: 'listTokens',
    summary:
      "The caller's own API tokens in the current workspace, newest first: name, scope, when created, last used and expiring; never the secret.",
    auth: 'user',
    status: 200,
    answer: json('ListTokensResponse', 'The tokens.'),
  },
  {
    method: 'delete',
    path: '/tokens/{id}',
    operationId: 'revokeToken',
    summary: "Revoke one of the caller's API tokens: it is refused (401) from then on.",
    auth: 'user',
    status: 200,
    answer: json('MessageResponse', 'Revoked.'),
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/apps',
    operationId: 'listApps',
    summary: "The workspace's apps with their status.",
    auth: 'user',
    status: 200,
    answer: json('ListAppsResponse', 'The apps.'),
  },
  {
    method: 'post',
    path: '/apps',
    operationId: 'createApp',
    summary: 'Create an app from a git repository and queue its first deployment.',
    auth: 'user',
    request: 'CreateAppRequest',
    status: 201,
    answer: json('CreateAppResponse', 'The app, its address and its webhook.'),
    errors: [400, 409, 422],
  },
  {
    method: 'get',
    path: '/apps/{name}',
    operationId: 'getApp',
    summary: 'One app, with its current and latest deployments.',
    auth: 'user',
    status: 200,
    answer: json('AppView', 'The app.'),
    errors: [404],
  },
  {
    method: 'patch',
    path: '/apps/{name}',
    operationId: 'updateApp',
    summary:
      'Change settings (developer role): branch, main file and Python version queue a rebuild; memory and CPUs restart the running version (health-checked) within the limits; a new name keeps the old subdomain redirecting for a grace period; visibility (public or private) applies at once.',
    auth: 'user',
    request: 'UpdateAppRequest',
    status: 200,
    answer: json('UpdateAppResponse', 'The app as changed, and what happens next.'),
    errors: [400, 403, 404, 409],
  },
  {
    method: 'delete',
    path: '/apps/{name}',
    operationId: 'deleteApp',
    summary: 'Delete the app, its deployments and its containers; its name becomes free.',
    auth: 'user',
    status: 200,
    answer: json('MessageResponse', 'Deleted.'),
    errors: [404],
  },
  {
    method: 'get',
    path: '/apps/{name}/webhook',
    operationId: 'getAppWebhook',
    summary: "The app's push webhook address and secret.",
    auth: 'user',
    status: 200,
    answer: json('WebhookView', 'The webhook.'),
    errors: [404],
  },
  {
    method: 'post',
    path: '/apps/{name}/webhook/rotate',
    operationId: 'rotateAppWebhookSecret',
    summary: "Replace the push webhook's secret (developer role): the old one stops working at once.",
    auth: 'user',
    status: 200,
    answer: json('WebhookView', 'The webhook with its new secret.'),
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/apps/{name}/access',
    operationId: 'getAppAccess',
    summary:
      "Who may open the app while it is private: the workspace's members, and the emails of its access list.",
    auth: 'user',
    status: 200,
    answer: json('AppAccessView', 'The visibility and the access list.'),
    errors: [404],
  },
  {
    method: 'put',
    path: '/apps/{name}/access',
    operationId: 'replaceAppAccess',
    summary:
      'Replace the access list (developer role): signed-in people with these emails may open the app while it is private. The visibility itself is changed with PATCH /apps/{name}.',
    auth: 'user',
    request: 'ReplaceAppAccessRequest',
    status: 200,
    answer: json('ReplaceAppAccessResponse', 'The access list as saved.'),
    errors: [400, 403, 404],
  },
  {
    method: 'post',
    path: '/apps/{name}/reboot',
    operationId: 'rebootApp',
    summary: "Restart the app's running container.",
    auth: 'user',
    status: 202,
    answer: json('MessageResponse', 'Reboot queued.'),
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/apps/{name}/sleep',
    operationId: 'sleepApp',
    summary:
      'Put the app to sleep now: stopped (the default), holding no memory until the next visit, or with {"depth":"freeze"} paused with its memory kept. The body is optional.',
    auth: 'user',
    request: 'SleepAppRequest',
    isRequestOptional: true,
    status: 202,
    answer: json('MessageResponse', 'Sleep queued.'),
    errors: [400, 404, 409],
  },
  {
    method: 'post',
    path: '/apps/{name}/wake',
    operationId: 'wakeApp',
    summary: 'Wake the sleeping app now (a visit does the same); its status reads waking, then running.',
    auth: 'user',
    status: 202,
    answer: json('MessageResponse', 'Wake queued.'),
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/apps/{name}/secrets',
    operationId: 'listSecretKeys',
    summary: "The keys of the app's secrets; values are never returned.",
    auth: 'user',
    status: 200,
    answer: json('SecretsView', 'The keys.'),
    errors: [404],
  },
  {
    method: 'post',
    path: '/apps/{name}/secrets/reveal',
    operationId: 'revealSecrets',
    summary:
      "The app's secrets as saved (TOML), for editing; needs the developer role, is audited with the key names, and is answered with Cache-Control: no-store.",
    auth: 'user',
    status: 200,
    answer: json('RevealedSecrets', 'The TOML and its keys.'),
    errors: [403, 404],
  },
  {
    method: 'put',
    path: '/apps/{name}/secrets',
    operationId: 'replaceSecrets',
    summary:
      "Replace the app's secrets with the TOML body (text/plain); a running app restarts with them, health-checked. An invalid TOML is a 400 naming the line and the reason, and nothing is saved.",
    auth: 'user',
    requestContentType: 'text/plain',
    status: 200,
    answer: json('ReplaceSecretsResponse', 'Saved; the keys and whether the app restarts.'),
    errors: [400, 403, 404],
  },
  {
    method: 'delete',
    path: '/apps/{name}/secrets',
    operationId: 'deleteSecrets',
    summary: "Remove the app's secrets; a running app restarts without them.",
    auth: 'user',
    status: 200,
    answer: json('ReplaceSecretsResponse', 'Removed.'),
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/apps/{name}/deployments',
    operationId: 'listDeployments',
    summary: "The app's deployments, newest first.",
    auth: 'user',
    status: 200,
    answer: json('ListDeploymentsResponse', 'The deployments.'),
    errors: [404],
  },
  {
    method: 'post',
    path: '/apps/{name}/deployments',
    operationId: 'createDeployment',
    summary:
      "Redeploy the head of the app's branch (an app deployed from uploads: its newest uploaded folder again).",
    auth: 'user',
    status: 202,
    answer: json('DeploymentResponse', 'The queued deployment.'),
    errors: [404],
  },
  {
    method: 'post',
    path: '/apps/{name}/uploads',
    operationId: 'deployUpload',
    summary:
      "Deploy a folder: the body is a tar archive of it (gzipped or not; at most COVE_UPLOAD_MAX_MB, 50), built as a commit would be. The app must have been created with source 'upload'. Paths must stay inside the folder (no absolute paths or ..), and only files, folders and symbolic links inside it are accepted. The same content (by digest) with the same main file as the live or a building deployment queues nothing: 200 with isUnchanged.",
    auth: 'user',
    requestContentType: 'application/gzip',
    query: api.deployUploadQuery,
    status: 202,
    answer: json(
      'UploadDeploymentResponse',
      'The queued deployment, or (200, isUnchanged) the one that has it.',
    ),
    errors: [400, 404, 409, 413],
  },
  {
    method: 'get',
    path: '/apps/{name}/history',
    operationId: 'getAppHistory',
    summary:
      "The app's status changes and its deployments', newest first (the last 100): from, to, who and why.",
    auth: 'user',
    status: 200,
    answer: json('AppHistoryResponse', 'The transitions.'),
    errors: [404],
  },
  {
    method: 'get',
    path: '/apps/{name}/analytics',
    operationId: 'getAppAnalytics',
    summary:
      "The app's visitors per UTC day, as the proxy counted them (rolled up about every minute): page loads of its HTML, unique viewers (signed-in people on a private app, browsers on a public one), sessions and their average length; with a private app's last signed-in viewers. Kept COVE_HISTORY_RETENTION_DAYS.",
    auth: 'user',
    query: insights.appAnalyticsQuery,
    status: 200,
    answer: json('AppAnalyticsResponse', 'The totals and every day of the window.'),
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/apps/{name}/metrics',
    operationId: 'getAppMetrics',
    summary:
      "CPU (cores) and memory (bytes) of the app's running instances over time, sampled by the builder every COVE_METRICS_SAMPLE_SECONDS, with its limits and the out-of-memory kills. Kept COVE_METRICS_RETENTION_DAYS.",
    auth: 'user',
    query: insights.appMetricsQuery,
    status: 200,
    answer: json('AppMetricsResponse', 'The samples and kills in the window, oldest first.'),
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/apps/{name}/deployments/{id}',
    operationId: 'getDeployment',
    summary: 'One deployment.',
    auth: 'user',
    status: 200,
    answer: json('DeploymentResponse', 'The deployment.'),
    errors: [404],
  },
  {
    method: 'get',
    path: '/apps/{name}/deployments/{id}/logs',
    operationId: 'getDeploymentLogs',
    summary:
      'Build or runtime log of a deployment as plain text; with follow=1 a text/event-stream of "line" events (LogLineEvent) ending with an "end" event.',
    auth: 'user',
    query: api.logStreamQuery,
    status: 200,
    answer: { description: 'The log lines.', contentType: 'text/plain' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/apps/{name}/deployments/{id}/cancel',
    operationId: 'cancelDeployment',
    summary: 'Stop a queued or running build (developer role); the version that was live keeps serving.',
    auth: 'user',
    status: 200,
    answer: json('DeploymentResponse', 'The cancelled deployment.'),
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/apps/{name}/deployments/{id}/rollback',
    operationId: 'rollbackDeployment',
    summary:
      'Make an earlier deployment that went live serve again, from its image, without a rebuild (developer role).',
    auth: 'user',
    status: 202,
    answer: json('DeploymentResponse', "The queued deployment (trigger 'rollback') that starts that image."),
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/webhooks/{name}',
    operationId: 'receivePushWebhook',
    summary:
      'GitHub-style push webhook: X-Hub-Signature-256 over the raw body, X-GitHub-Event and X-GitHub-Delivery headers.',
    auth: 'webhook-signature',
    status: 202,
    answer: json('WebhookAcceptedResponse', 'Queued, or ignored with the reason (a ping answers 200).'),
    errors: [400, 401, 404, 409],
  },
  {
    method: 'get',
    path: '/workspace',
    operationId: 'getWorkspace',
    summary: "The current workspace: its name, the caller's role, the operator's limits and the usage.",
    auth: 'user',
    status: 200,
    answer: json('WorkspaceView', 'The workspace.'),
  },
  {
    method: 'patch',
    path: '/workspace',
    operationId: 'renameWorkspace',
    summary: 'Rename the current workspace (owner role).',
    auth: 'user',
    request: 'RenameWorkspaceRequest',
    status: 200,
    answer: json('WorkspaceView', 'The workspace with its new name.'),
    errors: [400, 403],
  },
  {
    method: 'get',
    path: '/workspace/members',
    operationId: 'listMembers',
    summary: "The workspace's members with their email, role and when they joined.",
    auth: 'user',
    status: 200,
    answer: json('ListMembersResponse', 'The members.'),
  },
  {
    method: 'patch',
    path: '/workspace/members/{userId}',
    operationId: 'changeMemberRole',
    summary: "Change a member's role (owner role); the last owner cannot be demoted.",
    auth: 'user',
    request: 'UpdateMemberRequest',
    status: 200,
    answer: json('MemberView', 'The member with the new role.'),
    errors: [400, 403, 404, 409],
  },
  {
    method: 'delete',
    path: '/workspace/members/{userId}',
    operationId: 'removeMember',
    summary:
      "Remove a member (owner role), or leave when it is the caller's own id (any role); the last owner cannot leave or be removed. A browser session that leaves moves to the person's next workspace.",
    auth: 'user',
    status: 200,
    answer: json('MessageResponse', 'Removed, or left.'),
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/workspace/invitations',
    operationId: 'listInvitations',
    summary: 'Pending invitations (owner role), and whether Cove sends them by mail.',
    auth: 'user',
    status: 200,
    answer: json('ListInvitationsResponse', 'The pending invitations.'),
    errors: [403],
  },
  {
    method: 'post',
    path: '/workspace/invitations',
    operationId: 'createInvitation',
    summary:
      'Invite an email with a role (owner role). Sent by mail when the operator configured one; otherwise the answer carries the link to pass on. Replaces a pending invitation of the same email.',
    auth: 'user',
    request: 'CreateInvitationRequest',
    status: 201,
    answer: json('CreateInvitationResponse', 'The invitation, and the link when no mail went out.'),
    errors: [400, 403, 409],
  },
  {
    method: 'delete',
    path: '/workspace/invitations/{id}',
    operationId: 'revokeInvitation',
    summary: 'Withdraw a pending invitation (owner role): its link stops working.',
    auth: 'user',
    status: 200,
    answer: json('MessageResponse', 'Revoked.'),
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/invitations/{token}',
    operationId: 'previewInvitation',
    summary: 'What an invite link is for (workspace, email, role) and whether it still works.',
    auth: 'none',
    status: 200,
    answer: json('InvitationPreview', 'The invitation.'),
    errors: [404],
  },
  {
    method: 'post',
    path: '/invitations/{token}/accept',
    operationId: 'acceptInvitation',
    summary:
      "Join the workspace with the invited role; the caller's email must be the invited one. A browser session moves into the workspace.",
    auth: 'user',
    status: 200,
    answer: json('AcceptInvitationResponse', 'The workspace joined.'),
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/session/workspace',
    operationId: 'listMyWorkspaces',
    summary: 'The workspaces the caller belongs to, with the current one marked.',
    auth: 'user',
    status: 200,
    answer: json('ListWorkspacesResponse', 'The workspaces.'),
  },
  {
    method: 'post',
    path: '/session/workspace',
    operationId: 'switchWorkspace',
    summary:
      'Move the browser session into another workspace the user is a member of (API tokens stay in their own).',
    auth: 'user',
    request: 'SwitchWorkspaceRequest',
    status: 200,
    answer: json('WorkspaceMembershipView', 'The workspace the session is now in.'),
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document.',
    auth: 'none',
    status: 200,
    answer: { description: 'OpenAPI 3.1 document.', contentType: 'application/json' },
  },
] as const satisfies readonly ApiRoute[];
export type CoreApiRoute = (typeof coreApiRoutes)[number];

export const apiRoutes: readonly ApiRoute[] = [...coreApiRoutes, ...gitHubRoutes];
