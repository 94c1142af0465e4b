import { AuthForm } from '../../components/auth-form';

export const metadata = { title: 'Sign up · Cove' };

export default function SignUpPage() {
  return <AuthForm mode="signup" />;
}
