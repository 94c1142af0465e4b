import { listApps } from '@cove/shared/apps/service';
import { hasRole } from '@cove/shared/auth/roles';
import { appName } from '@cove/shared/contracts/api';
import Link from 'next/link';
import { AppList } from '../../components/app-list';
import { AppShell } from '../../components/app-shell';
import { DeletedNotice } from '../../components/deleted-notice';
import { serverContext } from '../../lib/server/context';
import { requireSignedIn } from '../../lib/server/session';

export const metadata = { title: 'Apps · Cove' };

export default async function AppsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requireSignedIn();
  // Only an app name that is not in the list: a crafted link can neither say a live app is gone
  // nor put other words on the page.
  const deleted = appName.safeParse((await searchParams).deleted);
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
      {deleted.success && !apps.some((app) => app.name === deleted.data) ? (
        <DeletedNotice appName={deleted.data} />
      ) : null}
      <AppList initialApps={apps} />
    </AppShell>
  );
}
