import { getAccount } from '@cove/shared/auth/accounts';
import type { InvitationPreview } from '@cove/shared/contracts/api';
import { CoveError } from '@cove/shared/errors';
import { previewInvitation } from '@cove/shared/workspaces/invitations';
import { InviteAccept } from '../../../components/invite-accept';
import { serverContext } from '../../../lib/server/context';
import { currentPrincipal } from '../../../lib/server/session';

export const metadata = { title: 'Invitation · Cove' };

const stateMessages: Record<Exclude<InvitationPreview['state'], 'pending'>, string> = {
  accepted: 'This invitation has already been used. Ask the workspace owner for a new one if you need it.',
  revoked: 'This invitation was withdrawn or replaced by a newer one. Use the latest link, or ask the owner.',
  expired: 'This invitation has expired. Ask the workspace owner to invite you again.',
};

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const context = serverContext();
  const invitation = await previewInvitation(context.db, token).catch((error: unknown) => {
    if (error instanceof CoveError && error.code === 'not_found') return null;
    throw error;
  });
  if (invitation?.state !== 'pending') {
    return (
      <main className="auth">
        <h1>Invitation</h1>
        <p className="card form-error" role="alert">
          {invitation
            ? stateMessages[invitation.state]
            : 'This invitation link is not valid. Ask the workspace owner for a new one.'}
        </p>
      </main>
    );
  }
  const principal = await currentPrincipal();
  const signedInEmail = principal ? (await getAccount(context.db, principal)).user.email : null;
  return <InviteAccept token={token} invitation={invitation} signedInEmail={signedInEmail} />;
}
