import { appOfAccessPath, safeReturnPath } from '@cove/shared/access/return-path';
import type { Metadata } from 'next';
import { AuthForm } from '../../components/auth-form';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** `next`, when it is a same-site path; a private app's access page names the app. */
async function readNext(searchParams: Props['searchParams']) {
  const { next } = await searchParams;
  const path = typeof next === 'string' ? safeReturnPath(next, '') : '';
  return { path: path || undefined, appName: path ? appOfAccessPath(path) : undefined };
}

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const { appName } = await readNext(searchParams);
  return { title: appName ? `Sign in to open ${appName} · Cove` : 'Sign in · Cove' };
}

export default async function LoginPage({ searchParams }: Props) {
  const { path, appName } = await readNext(searchParams);
  return <AuthForm mode="login" next={path} appName={appName} />;
}
