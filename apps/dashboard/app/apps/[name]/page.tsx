import { getApp } from '@cove/shared/apps/service';
import { CoveError } from '@cove/shared/errors';
import { notFound } from 'next/navigation';
import { AppDetail } from '../../../components/app-detail';
import { AppShell } from '../../../components/app-shell';
import { serverContext } from '../../../lib/server/context';
import { requireSignedIn } from '../../../lib/server/session';

export default async function AppPage({ params }: { params: Promise<{ name: string }> }) {
  const principal = await requireSignedIn();
  const { name } = await params;
  const app = await getApp(serverContext(), principal.workspaceId, name).catch((error: unknown) => {
    if (error instanceof CoveError && error.code === 'not_found') notFound();
    throw error;
  });
  return (
    <AppShell>
      <AppDetail initialApp={app} />
    </AppShell>
  );
}
