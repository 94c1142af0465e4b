import { listWorkspacesOf } from '@cove/shared/workspaces/switch';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { serverContext } from '../lib/server/context';
import { currentPrincipal } from '../lib/server/session';
import { SignOutButton } from './sign-out-button';
import { WorkspaceSwitcher } from './workspace-switcher';

/** The frame of every signed-in page: the workspace being worked in, and the way to another. */
export async function AppShell({ children }: { children: ReactNode }) {
  const principal = await currentPrincipal();
  const workspaces = principal ? await listWorkspacesOf(serverContext().db, principal) : [];
  return (
    <>
      <header className="topbar">
        <Link href="/apps" className="brand">
          Cove
        </Link>
        <nav aria-label="Main">
          <WorkspaceSwitcher workspaces={workspaces} />
          <Link href="/apps">Apps</Link>
          <Link href="/workspace">Workspace</Link>
          <Link href="/tokens">API tokens</Link>
          <SignOutButton />
        </nav>
      </header>
      <main className="page">{children}</main>
    </>
  );
}
