import { listApiTokens } from '@cove/shared/auth/api-tokens';
import { ApiTokensPanel } from '../../components/api-tokens-panel';
import { AppShell } from '../../components/app-shell';
import { serverContext } from '../../lib/server/context';
import { requireSignedIn } from '../../lib/server/session';
import { toApiTokenView } from '../../lib/server/token-views';

export const metadata = { title: 'API tokens · Cove' };

/** The signed-in person's own tokens in this workspace (as GET /api/v1/tokens lists them). */
export default async function TokensPage() {
  const principal = await requireSignedIn();
  const tokens = await listApiTokens(serverContext().db, principal);
  return (
    <AppShell>
      <div className="page-header">
        <h1>API tokens</h1>
        <span className="muted">Yours, for this workspace. Scripts send one as a Bearer token.</span>
      </div>
      <ApiTokensPanel initialTokens={tokens.map(toApiTokenView)} canCreate={principal.role !== 'viewer'} />
    </AppShell>
  );
}
