import { redirect } from 'next/navigation';
import { currentPrincipal } from '../lib/server/session';

export default async function Home() {
  redirect((await currentPrincipal()) ? '/apps' : '/login');
}
