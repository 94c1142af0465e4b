import { AppShell } from '../../../components/app-shell';
import { NewAppForm } from '../../../components/new-app-form';
import { requireSignedIn } from '../../../lib/server/session';

export const metadata = { title: 'New app · Cove' };

type SearchParams = Record<string, string | string[] | undefined>;

function single(value: string | string[] | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 500) : null;
}

export default async function NewAppPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireSignedIn();
  // GitHub's setup redirect comes back here with the outcome of connecting GitHub.
  const query = await searchParams;
  const gitHubNotice = {
    error: single(query.github_error),
    connectedAccount: query.github === 'connected' ? single(query.account) : null,
  };
  return (
    <AppShell>
      <div className="page-header">
        <h1>Deploy an app</h1>
      </div>
      <NewAppForm gitHubNotice={gitHubNotice} />
    </AppShell>
  );
}
