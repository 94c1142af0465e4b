import { installUrl } from '@cove/shared/github/installations';
import { authenticate, route } from '../../../../../lib/server/http';

/** "Connect GitHub": to GitHub's install page, with a state that brings the person back here. */
export const GET = route(async ({ request, context }) => {
  const principal = await authenticate(request, context, 'developer');
  return Response.redirect(installUrl(context, principal), 303);
});
