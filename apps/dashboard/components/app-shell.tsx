import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from './sign-out-button';

/** The frame of every signed-in page. */
export function AppShell({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="topbar">
        <Link href="/apps" className="brand">
          Cove
        </Link>
        <nav aria-label="Main">
          <Link href="/apps">Apps</Link>
          <SignOutButton />
        </nav>
      </header>
      <main className="page">{children}</main>
    </>
  );
}
