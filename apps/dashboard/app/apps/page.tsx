import { listApps } from '@cove/shared/apps/service';
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
        <Link href="/apps/new" className="button primary">
          New app
        </Link>
      </div>
      <AppList initialApps={apps} />
    </AppShell>
  );
}
