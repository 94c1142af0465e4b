// Signing in with an email and password, as the dashboard's sign-in page does, for what only a
// signed-in person may do: mint an API token (the tokens page's POST /tokens). The session lives for
// this one command: it is signed out at once, and only the token it minted is kept.
import { hostname } from 'node:os';
import { sessionResponse } from '@cove/shared/contracts/api';
import { createApiClient } from './client';
import { CliError, exitCodes } from './exit-codes';

export interface MintRequest {
  server: string;
  email: string;
  password: string;
  token: { name: string; scope: 'read' | 'full'; expiresInDays: number | null };
  fetch?: typeof fetch;
}

/** The name a token minted by `cove login --email` gets, so the tokens page says where it lives. */
export function cliTokenName(now = new Date()): string {
  return `cove CLI on ${hostname()} (${now.toISOString().slice(0, 10)})`;
}

export async function mintTokenWithPassword(request: MintRequest) {
  const fetcher = request.fetch ? { fetch: request.fetch } : {};
  const anonymous = createApiClient({ server: request.server, cookie: '', ...fetcher });
  const response = await anonymous.open('signIn', {
    body: { email: request.email, password: request.password },
  });
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.includes('='));
  const session = sessionResponse.safeParse(await response.json().catch(() => undefined));
  if (!cookie || !session.success)
    throw new CliError(
      `${request.server} signed in without a session cookie: is it Cove's dashboard, and as new as this CLI?`,
      exitCodes.serverOrNetwork,
    );
  const signedIn = createApiClient({ server: request.server, cookie, ...fetcher });
  try {
    const created = await signedIn.call('createToken', { body: request.token });
    return { session: session.data, created };
  } finally {
    // The token is what the CLI keeps; the session is not needed past this.
    await signedIn.call('signOut').catch(() => undefined);
  }
}
