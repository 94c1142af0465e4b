// How often the public endpoints may be called, and how large a webhook may be. Counted in Redis
// (services/shared/src/limits/rate-limit.ts), so every dashboard process shares the counts.
import { enforceRateLimit, type RateLimit } from '@cove/shared/limits/rate-limit';
import type { ServerContext } from './context';

export const rateLimits = {
  signInPerAddress: { name: 'sign-in-address', limit: 30, windowSeconds: 600 },
  signInPerEmail: { name: 'sign-in-email', limit: 10, windowSeconds: 600 },
  signUpPerEmail: { name: 'sign-up-email', limit: 5, windowSeconds: 3600 },
  verificationMailPerEmail: { name: 'verification-mail-email', limit: 5, windowSeconds: 3600 },
  /** Signed deliveries only: what a forge sends for one app. */
  webhookPerApp: { name: 'webhook-app', limit: 60, windowSeconds: 60 },
  /** Deliveries that are not signed right (or name no app), per sender: larger, and apart. */
  webhookFailuresPerAddress: { name: 'webhook-failures-address', limit: 120, windowSeconds: 60 },
  /** Generous: one installation covers many repositories and apps, and GitHub retries nothing. */
  gitHubWebhookPerInstallation: { name: 'github-webhook-installation', limit: 600, windowSeconds: 60 },
} as const satisfies Record<string, RateLimit>;

/** GitHub sends at most 25 MB; a push of ordinary size is far below this. */
export const webhookBodyLimitBytes = 5 * 1024 * 1024;

/**
 * The caller's address. Next's server appends the connection's address to x-forwarded-for, so the
 * last entry is the one a client cannot choose (behind a reverse proxy, that proxy's view of it).
 * Null when the request carries none (handlers called directly, as in tests).
 */
export function clientAddress(request: Request): string | null {
  const forwarded = request.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').at(-1)?.trim();
  return last ? last : null;
}

function limit(context: ServerContext, rule: RateLimit, subject: string, what: string): Promise<void> {
  return enforceRateLimit(context.redis, context.config.COVE_INSTANCE, rule, subject, what);
}

export async function limitSignIn(context: ServerContext, request: Request, email: string): Promise<void> {
  const address = clientAddress(request);
  if (address)
    await limit(context, rateLimits.signInPerAddress, address, 'sign-in attempts from your address');
  await limit(context, rateLimits.signInPerEmail, email, 'sign-in attempts for this email');
}

/** Set by the operator (COVE_SIGNUPS_PER_ADDRESS_PER_HOUR). */
export function signUpPerAddress(context: Pick<ServerContext, 'config'>): RateLimit {
  const limit = context.config.COVE_SIGNUPS_PER_ADDRESS_PER_HOUR;
  return { name: 'sign-up-address', limit, windowSeconds: 3600 };
}

export async function limitSignUp(context: ServerContext, request: Request, email: string): Promise<void> {
  const address = clientAddress(request);
  if (address) await limit(context, signUpPerAddress(context), address, 'sign-ups from your address');
  await limit(context, rateLimits.signUpPerEmail, email, 'sign-ups for this email');
}

/** Asking for a new verification link: bounds the mail one account can make Cove send. */
export function limitVerificationMail(context: ServerContext, email: string): Promise<void> {
  return limit(context, rateLimits.verificationMailPerEmail, email, 'verification mails to this address');
}

export function limitWebhook(context: ServerContext, appName: string): Promise<void> {
  return limit(context, rateLimits.webhookPerApp, appName, 'webhook deliveries for this app');
}

/** Counts a delivery that failed authentication against its sender's address. */
export async function limitFailedWebhook(context: ServerContext, request: Request): Promise<void> {
  const address = clientAddress(request);
  if (address)
    await limit(
      context,
      rateLimits.webhookFailuresPerAddress,
      address,
      'failed webhook deliveries from your address',
    );
}

export function limitGitHubWebhook(context: ServerContext, installationId: number): Promise<void> {
  return limit(
    context,
    rateLimits.gitHubWebhookPerInstallation,
    String(installationId),
    'webhook deliveries for this GitHub App installation',
  );
}
