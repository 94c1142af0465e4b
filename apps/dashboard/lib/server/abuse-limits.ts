// How often the public endpoints may be called, and how large a webhook may be. Counted in Redis
// (services/shared/src/limits/rate-limit.ts), so every dashboard process shares the counts.
import { rateLimitSubjectOf } from '@cove/shared/limits/client-address';
import { enforceRateLimit, type RateLimit, refundRateLimitHit } from '@cove/shared/limits/rate-limit';
import { clientAddress } from './client-address';
import type { ServerContext } from './context';

export const rateLimits = {
  /** Failed sign-ins (a right password is not counted) from one address, whatever the email. */
  signInPerAddress: { name: 'sign-in-address', limit: 30, windowSeconds: 600 },
  /** Failed sign-ins for one email from one address: a guesser is held back, the owner elsewhere is not. */
  signInPerEmailFromAddress: { name: 'sign-in-email-address', limit: 10, windowSeconds: 600 },
  /** The backstop for guesses spread over many addresses; it does lock the email out for everyone. */
  signInPerEmail: { name: 'sign-in-email', limit: 100, windowSeconds: 600 },
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

/** Per-address limits count an IPv6 client by its /64 (limits/client-address.ts). */
function addressSubject(request: Request): string | null {
  const address = clientAddress(request);
  return address === null ? null : rateLimitSubjectOf(address);
}

function limit(context: ServerContext, rule: RateLimit, subject: string, what: string): Promise<void> {
  return enforceRateLimit(context.redis, context.config.COVE_INSTANCE, rule, subject, what);
}

export interface SignInAttempt {
  /** The password was right: the attempt is taken back from every count, which hold failures only. */
  succeeded(): Promise<void>;
}

/**
 * Counts a sign-in attempt before the password is checked (concurrent guesses count at once);
 * throws a 429 CoveError past a limit. The caller reports a right password with `succeeded()`.
 */
export async function limitSignIn(
  context: ServerContext,
  request: Request,
  email: string,
): Promise<SignInAttempt> {
  const address = addressSubject(request);
  const emailSubject = email.trim().toLowerCase();
  const counted: { rule: RateLimit; subject: string }[] = [];
  async function count(rule: RateLimit, subject: string, what: string): Promise<void> {
    await limit(context, rule, subject, what);
    counted.push({ rule, subject });
  }
  if (address !== null) {
    await count(rateLimits.signInPerAddress, address, 'sign-in attempts from your address');
    await count(
      rateLimits.signInPerEmailFromAddress,
      `${emailSubject}\n${address}`,
      'sign-in attempts for this email from your address',
    );
  }
  await count(rateLimits.signInPerEmail, emailSubject, 'sign-in attempts for this email');
  return {
    async succeeded() {
      const { redis, config } = context;
      await Promise.all(
        counted.map(({ rule, subject }) => refundRateLimitHit(redis, config.COVE_INSTANCE, rule, subject)),
      );
    },
  };
}

/** Set by the operator (COVE_SIGNUPS_PER_ADDRESS_PER_HOUR). */
export function signUpPerAddress(context: Pick<ServerContext, 'config'>): RateLimit {
  const limit = context.config.COVE_SIGNUPS_PER_ADDRESS_PER_HOUR;
  return { name: 'sign-up-address', limit, windowSeconds: 3600 };
}

export async function limitSignUp(context: ServerContext, request: Request, email: string): Promise<void> {
  const address = addressSubject(request);
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
  const address = addressSubject(request);
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
