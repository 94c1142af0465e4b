// Route handlers are thin: parse the request with a contract, call the domain, answer with JSON.
// They use only the Web Request, so tests call them directly with real Request objects.

import { authenticateRequest, type Caller, isHttpsRequest, requireRole } from '@cove/shared/auth/request';
import { parseInput } from '@cove/shared/contracts/validation';
import type { MemberRole } from '@cove/shared/db/schema/identity';
import { CoveError } from '@cove/shared/errors';
import type { z } from 'zod';
import { type ServerContext, serverContext } from './context';
import { toErrorResponse } from './errors';

export interface RouteContext<Params> {
  params: Promise<Params>;
}

export interface HandlerInput<Params> {
  request: Request;
  params: Params;
  context: ServerContext;
}

/** Wraps a handler so every error is answered in the one error shape. */
export function route<Params = Record<string, never>>(
  handler: (input: HandlerInput<Params>) => Promise<Response>,
): (request: Request, routeContext: RouteContext<Params>) => Promise<Response> {
  return async (request, routeContext) => {
    try {
      const context = serverContext();
      return await handler({ request, params: await routeContext.params, context });
    } catch (error) {
      return toErrorResponse(error, (details) => {
        // The logger itself may be what failed to load (a configuration error).
        const logger = safeLogger();
        const entry = { err: details, method: request.method, path: new URL(request.url).pathname };
        if (logger) logger.error(entry, 'request failed');
        else process.stderr.write(`${JSON.stringify(entry)}\n`);
      });
    }
  };
}

function safeLogger() {
  try {
    return serverContext().logger;
  } catch {
    return undefined;
  }
}

/** The caller, by bearer token or session cookie (with the CSRF check), with at least `role`. */
export async function authenticate(
  request: Request,
  context: ServerContext,
  role: MemberRole = 'viewer',
): Promise<Caller> {
  const principal = await authenticateRequest(context.db, request, {
    dashboardUrl: context.config.COVE_DASHBOARD_URL,
  });
  requireRole(principal, role);
  return principal;
}

/** The largest body an API request may have: far above any form, far below what hurts a server. */
export const apiBodyLimitBytes = 1024 * 1024;

function tooLarge(limitBytes: number, message?: string): CoveError {
  return new CoveError(
    'too_large',
    message ?? `The request body is too large: at most ${Math.floor(limitBytes / 1024)} KB is accepted.`,
  );
}

/**
 * Reads the body as bytes, refusing (413) one over limitBytes without reading the rest of it;
 * tooLargeMessage says so in the route's own words.
 */
export async function readBytes(
  request: Request,
  limitBytes: number,
  tooLargeMessage?: string,
): Promise<Buffer> {
  const declared = Number.parseInt(request.headers.get('content-length') ?? '', 10);
  if (declared > limitBytes) throw tooLarge(limitBytes, tooLargeMessage);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      throw tooLarge(limitBytes, tooLargeMessage);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The body as text, within the API's size limit. */
export async function readText(request: Request): Promise<string> {
  return (await readBytes(request, apiBodyLimitBytes)).toString('utf8');
}

export async function readJson(request: Request): Promise<unknown> {
  const text = await readText(request);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new CoveError('invalid_input', 'The request body must be JSON.');
  }
}

/** Parses the JSON body with a contract schema (400 with per-field messages on a mismatch). */
export async function readBody<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
): Promise<z.output<Schema>> {
  return parseInput(schema, await readJson(request));
}

/** Answers with a body checked against its contract, so the API never drifts from its schema. */
export function reply<Schema extends z.ZodType>(
  schema: Schema,
  body: z.input<Schema>,
  status = 200,
): Response {
  return Response.json(schema.parse(body), { status });
}

/** Whether this request reached the dashboard over HTTPS (its session cookie is then `__Host-`). */
export function isHttpsDashboard(context: ServerContext, request: Request): boolean {
  return isHttpsRequest(request.headers, context.config.COVE_DASHBOARD_URL);
}
