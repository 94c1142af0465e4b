// The one place errors become HTTP responses: CoveError and zod issues -> {error:{code, message,
// fields?}} with their status; anything else -> 500 with a generic message, logged without secrets.
import { ConfigError } from '@cove/shared/config/load';
import type { ErrorResponse } from '@cove/shared/contracts/api';
import { invalidInputError } from '@cove/shared/contracts/validation';
import { CoveError } from '@cove/shared/errors';
import { z } from 'zod';

const fieldsSchema = z.record(z.string(), z.string());

export function errorBody(error: CoveError): ErrorResponse {
  const fields = fieldsSchema.safeParse(error.details?.fields);
  return {
    error: { code: error.code, message: error.message, ...(fields.success ? { fields: fields.data } : {}) },
  };
}

export function coveErrorResponse(error: CoveError): Response {
  const headers = new Headers();
  if (error.code === 'unauthenticated') headers.set('www-authenticate', 'Bearer');
  const retryAfter = error.details?.retryAfterSeconds;
  if (error.code === 'rate_limited' && typeof retryAfter === 'number')
    headers.set('retry-after', String(retryAfter));
  return Response.json(errorBody(error), { status: error.httpStatus, headers });
}

/** What may be logged of an unexpected error: never a query's parameters or a request's secrets. */
export function describeError(error: unknown): Record<string, unknown> {
  let current: unknown = error;
  // drizzle's DrizzleQueryError puts the query and its parameters in its message; its cause is the
  // driver's error, which names the problem without the values.
  while (current instanceof Error && 'params' in current && current.cause !== undefined)
    current = current.cause;
  if (!(current instanceof Error)) return { type: typeof current };
  return {
    type: current.name,
    message: current.message,
    ...('code' in current ? { code: current.code } : {}),
    stack: current.stack?.split('\n').slice(1, 8).join('\n'),
  };
}

export function unexpectedErrorResponse(
  error: unknown,
  log: (details: Record<string, unknown>) => void,
): Response {
  log(describeError(error));
  const message =
    error instanceof ConfigError
      ? 'The dashboard is not configured; the operator should check its COVE_* settings.'
      : 'Something went wrong on our side. Try again; if it keeps happening, tell the operator.';
  return Response.json({ error: { code: 'internal', message } } satisfies ErrorResponse, { status: 500 });
}

export function toErrorResponse(error: unknown, log: (details: Record<string, unknown>) => void): Response {
  if (error instanceof CoveError) return coveErrorResponse(error);
  if (error instanceof z.ZodError) return coveErrorResponse(invalidInputError(error));
  return unexpectedErrorResponse(error, log);
}
