import { isMailConfigured } from '@cove/shared/mail/send';
import { listInvitations } from '@cove/shared/workspaces/invitations';
import { listMembers } from '@cove/shared/workspaces/members';
import { getWorkspaceView } from '@cove/shared/workspaces/overview';
import { AppShell } from '../../components/app-shell';
import { InvitationsPanel } from '../../components/invitations-panel';
import { MembersPanel } from '../../components/members-panel';
import { WorkspaceLimits } from '../../components/workspace-limits';
import { WorkspaceNameForm } from '../../components/workspace-name-form';
import { serverContext } from '../../lib/server/context';
import { requireSignedIn } from '../../lib/server/session';

export const metadata = { title: 'Workspace · Cove' };

export default async function WorkspacePage() {
  const principal = await requireSignedIn();
  const context = serverContext();
  const [workspace, members] = await Promise.all([
    getWorkspaceView(context, principal),
    listMembers(context.db, principal.workspaceId),
  ]);
  const isOwner = principal.role === 'owner';
  const invitations = isOwner ? await listInvitations(context.db, principal.workspaceId) : [];
  return (
    <AppShell>
      <div className="page-header">
        <h1>{workspace.name}</h1>
        <span className="muted">
          You are {workspace.role === 'owner' ? 'an owner' : `a ${workspace.role}`} here.
        </span>
      </div>
      {isOwner ? <WorkspaceNameForm name={workspace.name} /> : null}
      <MembersPanel initialMembers={members} currentUserId={principal.userId} role={principal.role} />
      {isOwner ? (
        <InvitationsPanel
          initialInvitations={invitations}
          isMailConfigured={isMailConfigured(context.config)}
        />
      ) : null}
      <WorkspaceLimits workspace={workspace} />
    </AppShell>
  );
}
