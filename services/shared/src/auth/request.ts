// Who is calling an HTTP request: a bearer API token, or the browser's session cookie. Cookie-borne
// requests that change state must come from the dashboard's own origin (CSRF).
import type { Database } from '../db/client';
import type { ApiTokenScope, MemberRole } from '../db/schema/identity';
import { CoveError } from '../errors';
import { type Principal, resolveSession } from './accounts';
import { resolveApiToken } from './api-tokens';
import { hasRole } from './roles';

export const sessionCookieName = 'cove_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(headers: Headers, name: string): string | null {
  const header = headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() === name) {
      const value = part.slice(equals + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function sessionCookie(token: string, expiresAt: Date, options: { isSecure: boolean }): string {
  const attributes = [
    `${sessionCookieName}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (options.isSecure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(options: { isSecure: boolean }): string {
  const attributes = [`${sessionCookieName}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (options.isSecure) attributes.push('Secure');
  return attributes.join('; ');
}

/**
 * Refuses a state-changing request whose Origin is neither the dashboard's configured address nor
 * the host it was sent to. Browsers always send Origin on cross-site POST/DELETE, and a page cannot
 * forge it, so this stops a foreign site from acting with the user's cookie.
 */
export function checkSameOrigin(request: Request, dashboardUrl: string): void {
  if (safeMethods.has(request.method.toUpperCase())) return;
  const origin = request.headers.get('origin');
  if (origin === null) {
    throw new CoveError('forbidden', 'This request has no Origin header; send it from the Cove dashboard.');
  }
  const dashboard = new URL(dashboardUrl);
  const host = request.headers.get('host');
  const allowed = new Set([dashboard.origin]);
  if (host) allowed.add(`${dashboard.protocol}//${host}`);
  if (!allowed.has(origin)) {
    throw new CoveError('forbidden', `Requests from ${origin} are not allowed; use the Cove dashboard.`);
  }
}

function bearerToken(headers: Headers): string | null {
  const header = headers.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new CoveError('unauthenticated', 'Send the API token as "Authorization: Bearer <token>".');
  }
  return match[1];
}

/** How the caller proved who they are. */
export type Credential = { kind: 'session' } | { kind: 'token'; tokenId: string; scope: ApiTokenScope };

/** A principal, and the credential it came with. */
export interface Caller extends Principal {
  credential: Credential;
}

export async function authenticateRequest(
  db: Database,
  request: Request,
  options: { dashboardUrl: string },
): Promise<Caller> {
  const token = bearerToken(request.headers);
  if (token !== null) {
    const resolved = await resolveApiToken(db, token);
    if (!resolved) {
      throw new CoveError(
        'unauthenticated',
        'This API token is not valid (revoked or expired). Create a new one in the dashboard.',
      );
    }
    const { tokenId, scope, ...principal } = resolved;
    if (scope === 'read' && !safeMethods.has(request.method.toUpperCase())) {
      throw new CoveError(
        'forbidden',
        'This API token is read-only: it may only send GET requests. Use a full-scope token.',
      );
    }
    return { ...principal, credential: { kind: 'token', tokenId, scope } };
  }
  const sessionToken = readCookie(request.headers, sessionCookieName);
  if (sessionToken) {
    const principal = await resolveSession(db, sessionToken);
    if (principal) {
      checkSameOrigin(request, options.dashboardUrl);
      return { ...principal, credential: { kind: 'session' } };
    }
  }
  throw new CoveError('unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer <token>".');
}

/** Refuses a caller whose role in the workspace is below the one an action needs. */
export function requireRole(principal: Principal, role: MemberRole): void {
  if (!hasRole(principal.role, role)) {
    throw new CoveError('forbidden', `This needs the ${role} role in the workspace; ask an owner.`);
  }
}

/** Refuses a caller who came with an API token: a token cannot mint or manage tokens. */
export function requireSession(caller: Caller): void {
  if (caller.credential.kind !== 'session') {
    throw new CoveError(
      'forbidden',
      'API tokens are managed from a signed-in dashboard session, not with another token.',
    );
  }
}
