// Calls the dashboard's route handlers directly with real Request objects, against the database
// and Redis of a test context.
import { randomUUID } from 'node:crypto';
import { createAppResponse } from '@cove/shared/contracts/api';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { expect } from 'vitest';
import { z } from 'zod';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as signupRoute from '../../app/api/v1/auth/signup/route';
import * as tokensRoute from '../../app/api/v1/tokens/route';
import { closeServerContext } from '../../lib/server/context';

export const dashboardOrigin = 'http://localhost:4100';

type Handler<Params> = (request: Request, context: { params: Promise<Params> }) => Promise<Response>;

export interface CallOptions<Params> {
  method?: string;
  path: string;
  params: Params;
  body?: unknown;
  /** Sent as is (text, or the bytes of an archive). */
  rawBody?: string | Uint8Array;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function call<Params>(
  handler: Handler<Params>,
  options: CallOptions<Params>,
): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.cookie) headers.set('cookie', options.cookie);
  let body: string | Uint8Array | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set('content-type', 'application/json');
  }
  const request = new Request(`${dashboardOrigin}/api/v1${options.path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body: body as BodyInit }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return handler(request, { params: Promise.resolve(options.params) });
}

/** A test context whose environment the dashboard's lazily created server context reads. */
export async function startDashboardContext(overrides: Record<string, string> = {}): Promise<TestContext> {
  const context = await createTestContext(overrides);
  Object.assign(process.env, context.env);
  return context;
}

export async function reconfigure(overrides: Record<string, string>): Promise<void> {
  await closeServerContext();
  Object.assign(process.env, overrides);
}

export async function stopDashboardContext(context: TestContext | undefined): Promise<void> {
  await closeServerContext();
  await context?.close();
}

const tokenBody = z.object({ token: z.string() });
const sessionBody = z.object({ user: z.object({ id: z.uuid() }), workspace: z.object({ id: z.uuid() }) });

/** A person signed up through the API, with their session cookie and an API token. */
export async function signUpWithToken() {
  const email = `${randomUUID()}@example.com`;
  const signedUp = await call(signupRoute.POST, {
    method: 'POST',
    path: '/auth/signup',
    params: {},
    body: { email, password: 'a long enough password' },
    headers: { origin: dashboardOrigin },
  });
  const session = sessionBody.parse(await signedUp.json());
  const cookie = (signedUp.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await call(tokensRoute.POST, {
    method: 'POST',
    path: '/tokens',
    params: {},
    cookie,
    headers: { origin: dashboardOrigin },
    body: { name: 'tests' },
  });
  const { token } = tokenBody.parse(await created.json());
  return { email, cookie, token, userId: session.user.id, workspaceId: session.workspace.id };
}

/** An app created through the API; its repository is never cloned in these tests. */
export async function createTestApp(token: string, namePrefix: string) {
  const name = `${namePrefix}-${randomUUID().slice(0, 8)}`;
  const created = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, repoUrl: 'http://127.0.0.1:9/repo.git' },
  });
  expect(created.status).toBe(201);
  return { name, appId: createAppResponse.parse(await created.json()).id };
}
