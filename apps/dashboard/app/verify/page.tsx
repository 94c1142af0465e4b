// Where a verification link lands: says whether the address is verified, and what to do if not.
import { verificationMessages } from '@cove/shared/auth/email-verification';
import Link from 'next/link';

export const metadata = { title: 'Verify your address · Cove' };

function isResult(value: unknown): value is keyof typeof verificationMessages {
  return typeof value === 'string' && Object.hasOwn(verificationMessages, value);
}

export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { result } = await searchParams;
  const state = isResult(result) ? result : 'invalid';
  return (
    <main className="auth" data-testid="email-verification">
      <h1>{state === 'verified' ? 'Address verified' : 'Address not verified'}</h1>
      <p className={state === 'verified' ? 'card notice' : 'card form-error'} role="status">
        {verificationMessages[state]}
      </p>
      <p className="actions">
        <Link href="/apps">Your apps</Link>
      </p>
    </main>
  );
}
