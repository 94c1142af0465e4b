// The browser's side of /api/v1: same-origin fetches with the session cookie, errors in the API's
// one shape so forms can show the message and per-field messages.
import { errorResponse } from '@cove/shared/contracts/api';
import type { z } from 'zod';

export interface ApiFailure {
  ok: false;
  status: number;
  message: string;
  fields: Record<string, string>;
}
export type ApiResult<T> = { ok: true; status: number; data: T } | ApiFailure;

export async function apiRequest<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  init: { method?: string; body?: unknown; text?: string } = {},
): Promise<ApiResult<z.output<Schema>>> {
  let response: Response;
  const content: { headers: Record<string, string>; body?: string } =
    init.text !== undefined
      ? { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: init.text }
      : init.body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }
        : { headers: {} };
  try {
    response = await fetch(`/api/v1${path}`, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      cache: 'no-store',
      ...content,
    });
  } catch {
    return { ok: false, status: 0, message: 'Cove could not be reached. Check your connection.', fields: {} };
  }
  const payload: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const parsed = schema.safeParse(payload);
    if (parsed.success) return { ok: true, status: response.status, data: parsed.data };
    return {
      ok: false,
      status: response.status,
      message: 'Cove answered in an unexpected shape.',
      fields: {},
    };
  }
  const error = errorResponse.safeParse(payload);
  if (response.status === 401 && typeof window !== 'undefined' && !path.startsWith('/auth/')) {
    window.location.assign('/login');
  }
  return {
    ok: false,
    status: response.status,
    message: error.success ? error.data.error.message : `The request failed (${response.status}).`,
    fields: error.success ? (error.data.error.fields ?? {}) : {},
  };
}

/**
 * What a form's banner should say about a refusal when `shownFields` already show their messages
 * beside their inputs: only the rest, in the API's words and without its field names (the API's
 * summary names fields for scripts, "pythonVersion: ..."); null when every message is shown.
 */
export function messageBesideFields(failure: ApiFailure, shownFields: readonly string[]): string | null {
  const entries = Object.entries(failure.fields);
  if (entries.length === 0) return failure.message;
  const rest = entries.filter(([field]) => !shownFields.includes(field)).map(([, message]) => message);
  return rest.length > 0 ? rest.join(' ') : null;
}
