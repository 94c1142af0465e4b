// /access?app=<name>&return=<path>: where the proxy sends a browser that has no session on a
// private app. Signed out: sign in first. Allowed: back to the app with a one-minute token.
// Otherwise a page that says so.
import { grantAppAccess } from '@cove/shared/access/grant';
import { accessPagePath, safeReturnPath } from '@cove/shared/access/return-path';
import { readSessionToken } from '@cove/shared/auth/request';
import { accessPageQuery } from '@cove/shared/contracts/api';
import { route } from '../../lib/server/http';

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store' } });
}

export const GET = route(async ({ request, context }) => {
  const url = new URL(request.url);
  const query = accessPageQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) return redirect('/apps');
  const appName = query.data.app;
  const returnPath = safeReturnPath(query.data.return);
  const grant = await grantAppAccess(context, {
    appName,
    returnPath,
    sessionCookie: readSessionToken(request.headers, context.config.COVE_DASHBOARD_URL),
  });
  switch (grant.kind) {
    case 'sign_in':
      return redirect(`/login?${new URLSearchParams({ next: accessPagePath(appName, returnPath) })}`);
    case 'redirect':
      return redirect(grant.location);
    case 'denied':
    case 'app_not_found':
      return redirect(`/access/denied?${new URLSearchParams({ app: appName, return: returnPath })}`);
    default: {
      const unexpected: never = grant;
      throw new Error(`unhandled access grant ${JSON.stringify(unexpected)}`);
    }
  }
});
