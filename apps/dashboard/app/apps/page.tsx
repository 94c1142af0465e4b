import { listApps } from '@cove/shared/apps/service';
import { hasRole } from '@cove/shared/auth/roles';
import Link from 'next/link';
import { AppList } from '../../components/app-list';
import { AppShell } from '../../components/app-shell';
import { serverContext } from '../../lib/server/context';
import { requireSignedIn } from '../../lib/server/session';

export const metadata = { title: 'Apps · Cove' };

export default async function AppsPage() {
  const principal = await requireSignedIn();
  const apps = await listApps(serverContext(), principal.workspaceId);
  return (
    <AppShell>
      <div className="page-header">
        <h1>Apps</h1>
        {/* Creating an app needs the developer role; a viewer would only be refused. */}
        {hasRole(principal.role, 'developer') ? (
          <Link href="/apps/new" className="button primary">
            New app
          </Link>
        ) : null}
      </div>
      <AppList initialApps={apps} />
    </AppShell>
  );
}
