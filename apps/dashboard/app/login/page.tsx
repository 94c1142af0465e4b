import { safeReturnPath } from '@cove/shared/access/return-path';
import { AuthForm } from '../../components/auth-form';

export const metadata = { title: 'Sign in · Cove' };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  const nextPath = typeof next === 'string' ? safeReturnPath(next, '') : '';
  return <AuthForm mode="login" next={nextPath || undefined} />;
}
