import { getApp } from '@cove/shared/apps/service';
import { CoveError } from '@cove/shared/errors';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AppDetail } from '../../../components/app-detail';
import { AppShell } from '../../../components/app-shell';
import { appTabOf } from '../../../lib/app-tabs';
import { serverContext } from '../../../lib/server/context';
import { requireSignedIn } from '../../../lib/server/session';

// Tabs of several apps are told apart by their title. The name comes from the address, not the
// database: a page that turns out not to exist says "not found" itself.
export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const { name } = await params;
  return { title: `${decodeURIComponent(name)} · Cove` };
}

export default async function AppPage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requireSignedIn();
  const { name } = await params;
  const { tab } = await searchParams;
  const app = await getApp(serverContext(), principal.workspaceId, name).catch((error: unknown) => {
    if (error instanceof CoveError && error.code === 'not_found') notFound();
    throw error;
  });
  return (
    <AppShell>
      <AppDetail initialApp={app} role={principal.role} initialTab={appTabOf(tab)} />
    </AppShell>
  );
}
