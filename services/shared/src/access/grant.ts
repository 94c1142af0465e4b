// The dashboard's side of opening a private app: given the person's dashboard session, decide,
// and for an allowed person mint the one-minute token the app's host trades for its own cookie.
import { noMailVerificationNote } from '../auth/email-verification';
import { appUrl, type CommonConfig } from '../config/schemas';
import type { Database } from '../db/client';
import { isMailConfigured } from '../mail/send';
import { decideAppAccess, findDashboardViewer } from './decision';
import { safeReturnPath } from './return-path';
import { signAccessToken } from './tokens';

export type AccessGrant =
  /** Nobody is signed in (or the session ended): sign in, then come back. */
  | { kind: 'sign_in' }
  /** Go here: the app itself (public) or its host's exchange endpoint with a token (allowed). */
  | { kind: 'redirect'; location: string }
  /** message: why, and what the person can do about it. */
  | {
      kind: 'denied';
      appName: string;
      email: string;
      message: string;
      /** The address is unverified and this Cove sends mail: offer a new link. */
      canSendVerificationMail: boolean;
    }
  | { kind: 'app_not_found'; appName: string };

export function exchangeUrl(
  config: CommonConfig,
  appName: string,
  token: string,
  returnPath: string,
): string {
  const url = new URL('/__cove/auth', appUrl(config, appName));
  url.searchParams.set('token', token);
  url.searchParams.set('return', returnPath);
  return url.toString();
}

function deniedMessage(
  config: CommonConfig,
  appName: string,
  reason: 'not_listed' | 'email_unverified',
): string {
  const privateApp = `${appName} is private: only members of its workspace and people on its access list can open it.`;
  if (reason === 'not_listed') {
    return `${privateApp} Ask one of its developers to add your email to the access list.`;
  }
  const how = isMailConfigured(config)
    ? 'Open the link Cove mailed to it when you signed up, or send yourself a new one below, then try again.'
    : noMailVerificationNote;
  return `${privateApp} Your address is not verified, so access lists do not count it yet. ${how}`;
}

export async function grantAppAccess(
  deps: { db: Database; config: CommonConfig },
  request: { appName: string; returnPath: string | undefined; sessionCookie: string | null },
  now: Date = new Date(),
): Promise<AccessGrant> {
  const returnPath = safeReturnPath(request.returnPath);
  const viewer = request.sessionCookie
    ? await findDashboardViewer(deps.db, request.sessionCookie, now)
    : null;
  if (viewer === null) return { kind: 'sign_in' };
  const decision = await decideAppAccess(deps.db, request.appName, viewer);
  switch (decision.kind) {
    case 'app_not_found':
      return { kind: 'app_not_found', appName: request.appName };
    case 'public':
      return { kind: 'redirect', location: new URL(returnPath, appUrl(deps.config, decision.app.name)).href };
    case 'denied':
      return {
        kind: 'denied',
        appName: decision.app.name,
        email: viewer.email,
        message: deniedMessage(deps.config, decision.app.name, decision.reason),
        canSendVerificationMail: decision.reason === 'email_unverified' && isMailConfigured(deps.config),
      };
    case 'allowed': {
      const { token } = signAccessToken(
        deps.config.COVE_MASTER_KEY,
        {
          appName: decision.app.name,
          appId: decision.app.id,
          userId: viewer.userId,
          email: viewer.email,
          dashboardSessionId: viewer.sessionId,
          dashboardSessionExpiresAtMs: viewer.sessionExpiresAt.getTime(),
        },
        now,
      );
      return { kind: 'redirect', location: exchangeUrl(deps.config, decision.app.name, token, returnPath) };
    }
    default: {
      const unexpected: never = decision;
      throw new Error(`unhandled access decision ${JSON.stringify(unexpected)}`);
    }
  }
}
