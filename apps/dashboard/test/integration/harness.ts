// Calls the dashboard's route handlers directly with real Request objects, against the database
// and Redis of a test context.
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { closeServerContext } from '../../lib/server/context';

export const dashboardOrigin = 'http://localhost:4100';

type Handler<Params> = (request: Request, context: { params: Promise<Params> }) => Promise<Response>;

export interface CallOptions<Params> {
  method?: string;
  path: string;
  params: Params;
  body?: unknown;
  rawBody?: string;
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
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set('content-type', 'application/json');
  }
  const request = new Request(`${dashboardOrigin}/api/v1${options.path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
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
