// For server components: the signed-in user of the page being rendered (route handlers use
// authenticateRequest on the Web Request instead).
import type { Principal } from '@cove/shared/auth/accounts';
import { resolveSession } from '@cove/shared/auth/accounts';
import { readSessionToken } from '@cove/shared/auth/request';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { serverContext } from './context';

export async function currentPrincipal(): Promise<Principal | null> {
  // The request's headers first: they make the page dynamic, so a build never prerenders it (and
  // never reads the configuration, which only the running server has).
  const requestHeaders = await headers();
  const context = serverContext();
  const token = readSessionToken(requestHeaders, context.config.COVE_DASHBOARD_URL);
  if (!token) return null;
  return resolveSession(context.db, token);
}

export async function requireSignedIn(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect('/login');
  return principal;
}
