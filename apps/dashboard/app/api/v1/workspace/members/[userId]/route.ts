import { memberView, messageResponse, updateMemberRequest } from '@cove/shared/contracts/api';
import { CoveError } from '@cove/shared/errors';
import { changeMemberRole, removeMember } from '@cove/shared/workspaces/members';
import { z } from 'zod';
import { authenticate, readBody, reply, route } from '../../../../../../lib/server/http';
import { sessionAfterLeaving } from '../../../../../../lib/server/session-workspace';

function memberId(userId: string): string {
  if (!z.uuid().safeParse(userId).success) {
    throw new CoveError('not_found', 'This person is not a member of the workspace.');
  }
  return userId;
}

/** Change a member's role (owner role). */
export const PATCH = route<{ userId: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context, 'owner');
  const { role } = await readBody(request, updateMemberRequest);
  return reply(memberView, await changeMemberRole(context.db, principal, memberId(params.userId), role));
});

/** An owner removes a member; any member may remove themself (leave). */
export const DELETE = route<{ userId: string }>(async ({ request, params, context }) => {
  const principal = await authenticate(request, context);
  const userId = memberId(params.userId);
  const result = await removeMember(context, principal, userId);
  if (userId !== principal.userId) return reply(messageResponse, result);
  const next = await sessionAfterLeaving(context, request, principal);
  const message = next?.workspace
    ? `${result.message} You are now in ${next.workspace.name}.`
    : next
      ? `${result.message} You belong to no workspace now.`
      : result.message;
  const response = reply(messageResponse, { message });
  if (next) response.headers.append('set-cookie', next.cookie);
  return response;
});
