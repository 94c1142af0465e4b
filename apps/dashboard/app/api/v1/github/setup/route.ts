import { CoveError } from '@cove/shared/errors';
import { linkInstallation } from '@cove/shared/github/installations';
import { authenticate, route } from '../../../../../lib/server/http';

/**
 * GitHub's setup redirect after an installation. A person arrives here in the browser, so a
 * refusal goes back to the new-app page with the reason rather than as JSON.
 */
export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'developer');
  const url = new URL(request.url);
  const target = new URL('/apps/new', context.config.COVE_DASHBOARD_URL);
  try {
    const linked = await linkInstallation(context, principal, Object.fromEntries(url.searchParams));
    target.searchParams.set('github', 'connected');
    target.searchParams.set('account', linked.accountLogin);
  } catch (error) {
    if (!(error instanceof CoveError)) throw error;
    target.searchParams.set('github_error', error.message);
  }
  return Response.redirect(target.toString(), 303);
});
