// Who is calling an HTTP request: a bearer API token, or the browser's session cookie. Cookie-borne
// requests that change state must come from the dashboard's own origin (CSRF).
import type { Database } from '../db/client';
import type { ApiTokenScope, MemberRole } from '../db/schema/identity';
import { CoveError } from '../errors';
import { type Principal, resolveSession } from './accounts';
import { resolveApiToken } from './api-tokens';
import { hasRole } from './roles';

export const sessionCookieName = 'cove_session';
/**
 * The name over HTTPS: a browser takes a `__Host-` cookie only from the host itself (Secure,
 * Path=/, no Domain), so no app on a sibling host can plant or shadow it (security review M2).
 */
export const secureSessionCookieName = '__Host-cove_session';

/**
 * Whether the browser reached the dashboard over HTTPS: its address is https, or the proxy in front
 * (Cove's, which sets it itself, or the operator's) says so. A client that claims it over plain
 * HTTP only gets a Secure cookie its browser will not keep.
 */
export function isHttpsRequest(headers: Headers, dashboardUrl: string): boolean {
  if (new URL(dashboardUrl).protocol === 'https:') return true;
  return headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** The session cookie's name for a request: only the `__Host-` one counts over HTTPS. */
export function sessionCookieNameFor(isHttps: boolean): string {
  return isHttps ? secureSessionCookieName : sessionCookieName;
}

/** The session token a request carries in its cookie (the one its scheme allows), or null. */
export function readSessionToken(headers: Headers, dashboardUrl: string): string | null {
  return readCookie(headers, sessionCookieNameFor(isHttpsRequest(headers, dashboardUrl)));
}

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

export function sessionCookie(token: string, expiresAt: Date, options: { isHttps: boolean }): string {
  const attributes = [
    `${sessionCookieNameFor(options.isHttps)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (options.isHttps) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(options: { isHttps: boolean }): string {
  const name = sessionCookieNameFor(options.isHttps);
  const attributes = [`${name}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (options.isHttps) attributes.push('Secure');
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
  // The host it was sent to, in the scheme it came in (HTTPS through the proxy in development).
  const protocol = isHttpsRequest(request.headers, dashboardUrl) ? 'https:' : dashboard.protocol;
  if (host) allowed.add(`${protocol}//${host}`);
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
  const sessionToken = readSessionToken(request.headers, options.dashboardUrl);
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
