// The route table of /api/v1: each route's method, path, contracts and answers. The OpenAPI
// document is generated from it, and a test checks the dashboard serves every route listed here.
import type { z } from 'zod';
import * as api from './api';

/** Named schemas: the OpenAPI document's components. */
export const apiSchemas = {
  CreateAppRequest: api.createAppRequest,
  CreateAppResponse: api.createAppResponse,
  AppView: api.appView,
  ListAppsResponse: api.listAppsResponse,
  DeploymentView: api.deploymentView,
  DeploymentResponse: api.deploymentResponse,
  ListDeploymentsResponse: api.listDeploymentsResponse,
  WebhookView: api.webhookView,
  SignUpRequest: api.signUpRequest,
  SignInRequest: api.signInRequest,
  SessionResponse: api.sessionResponse,
  CreateTokenRequest: api.createTokenRequest,
  CreateTokenResponse: api.createTokenResponse,
  MessageResponse: api.messageResponse,
  WebhookAcceptedResponse: api.webhookAcceptedResponse,
  LogLineEvent: api.logLineEvent,
  SecretsView: api.secretsView,
  ReplaceSecretsResponse: api.replaceSecretsResponse,
  UpdateAppRequest: api.updateAppRequest,
  UpdateAppResponse: api.updateAppResponse,
  ErrorResponse: api.errorResponse,
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
  /** A request body that is not JSON, e.g. the secrets' TOML as text/plain. */
  requestContentType?: string;
  query?: z.ZodObject;
  /** The success answer's status. */
  status: number;
  answer: ApiAnswer;
  /** Error statuses worth documenting beside the generic ones. */
  errors?: number[];
}

export const apiBasePath = '/api/v1';

const json = (schema: ApiSchemaName, description: string): ApiAnswer => ({ schema, description });

export const apiRoutes: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/auth/signup',
    operationId: 'signUp',
    summary: 'Create an account and its workspace; sets the session cookie.',
    auth: 'none',
    request: 'SignUpRequest',
    status: 201,
    answer: json('SessionResponse', 'The new account.'),
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
    path: '/tokens',
    operationId: 'createToken',
    summary: 'Create an API token for the calling user in the current workspace.',
    auth: 'user',
    request: 'CreateTokenRequest',
    status: 201,
    answer: json('CreateTokenResponse', 'The token, shown once.'),
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
      'Change settings (developer role): branch, main file and Python version queue a rebuild; memory and CPUs restart the running version (health-checked) within the limits; a new name keeps the old subdomain redirecting for a grace period.',
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
    summary: 'Put the app to sleep now: its container stops and holds no memory until the next visit.',
    auth: 'user',
    status: 202,
    answer: json('MessageResponse', 'Sleep queued.'),
    errors: [404, 409],
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
    summary: "Redeploy the head of the app's branch.",
    auth: 'user',
    status: 202,
    answer: json('DeploymentResponse', 'The queued deployment.'),
    errors: [404],
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
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document.',
    auth: 'none',
    status: 200,
    answer: { description: 'OpenAPI 3.1 document.', contentType: 'application/json' },
  },
];
