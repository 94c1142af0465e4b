// Says plainly why a private app did not open: who is signed in, and how to try as someone else.
import { grantAppAccess } from '@cove/shared/access/grant';
import { accessPagePath, safeReturnPath } from '@cove/shared/access/return-path';
import { readSessionToken } from '@cove/shared/auth/request';
import { accessPageQuery } from '@cove/shared/contracts/api';
import { headers } from 'next/headers';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { serverContext } from '../../../lib/server/context';
import { SendVerificationButton } from './send-verification-button';
import { SwitchAccountButton } from './switch-account-button';

export const metadata = { title: 'No access · Cove' };

export default async function AccessDeniedPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = accessPageQuery.safeParse(await searchParams);
  if (!query.success) redirect('/apps');
  const appName = query.data.app;
  const returnPath = safeReturnPath(query.data.return);
  const retryPath = accessPagePath(appName, returnPath);
  const grant = await grantAppAccess(serverContext(), {
    appName,
    returnPath,
    sessionCookie: readSessionToken(await headers(), serverContext().config.COVE_DASHBOARD_URL),
  });
  if (grant.kind === 'sign_in') redirect(`/login?${new URLSearchParams({ next: retryPath })}`);
  return (
    <main className="auth" data-testid="access-denied">
      {grant.kind === 'denied' ? (
        <>
          <h1>You do not have access to {appName}</h1>
          <p>
            You are signed in as <strong data-testid="signed-in-email">{grant.email}</strong>.{' '}
            <span data-testid="access-denied-reason">{grant.message}</span>
          </p>
          {grant.canSendVerificationMail ? <SendVerificationButton /> : null}
        </>
      ) : grant.kind === 'app_not_found' ? (
        <>
          <h1>There is no app called {appName}</h1>
          <p>Check the address; the app may have been renamed or deleted.</p>
        </>
      ) : (
        <>
          <h1>You can open {appName}</h1>
          <p>
            <a href={retryPath}>Open {appName}</a>
          </p>
        </>
      )}
      <p className="actions">
        <SwitchAccountButton next={retryPath} />
        <Link href="/apps">Your apps</Link>
      </p>
    </main>
  );
}
