import { AppShell } from '../../../components/app-shell';
import { NewAppForm } from '../../../components/new-app-form';
import { requireSignedIn } from '../../../lib/server/session';

export const metadata = { title: 'New app · Cove' };

export default async function NewAppPage() {
  await requireSignedIn();
  return (
    <AppShell>
      <div className="page-header">
        <h1>Deploy an app</h1>
      </div>
      <NewAppForm />
    </AppShell>
  );
}
