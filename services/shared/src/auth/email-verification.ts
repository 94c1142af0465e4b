// Verified addresses: at sign-up, when the operator configured mail, Cove mails a signed link that
// works once, for COVE_EMAIL_VERIFICATION_HOURS; opening it marks the address verified. Only
// verified addresses count for private apps' access lists (access/decision.ts).
import { and, eq, isNull } from 'drizzle-orm';
import type { CommonConfig } from '../config/schemas';
import type { Database } from '../db/client';
import { isUniqueViolation } from '../db/errors';
import { emailVerifications, users } from '../db/schema/identity';
import { CoveError } from '../errors';
import { isMailConfigured, mailErrorCode, sendMail } from '../mail/send';
import { checkVerificationToken, signVerificationToken } from './verification-links';

export type VerificationConfig = Pick<
  CommonConfig,
  | 'COVE_DASHBOARD_URL'
  | 'COVE_EMAIL_VERIFICATION_HOURS'
  | 'COVE_SMTP_URL'
  | 'COVE_MAIL_FROM'
  | 'COVE_MASTER_KEY'
  | 'COVE_PREVIOUS_MASTER_KEY'
>;

export interface VerificationDeps {
  db: Database;
  config: VerificationConfig;
}

export interface VerificationMailOutcome {
  isMailSent: boolean;
  /** What the person is told: where the link went, or why there is none. */
  message: string;
}

/** Said wherever an unverified address is refused or listed, when this Cove sends no mail. */
export const noMailVerificationNote =
  'This Cove sends no mail (the operator has not set COVE_SMTP_URL), so addresses cannot be verified by a mailed link: only an address proved by accepting a workspace invitation sent to it counts.';

export function verificationLink(config: Pick<CommonConfig, 'COVE_DASHBOARD_URL'>, token: string): string {
  return `${config.COVE_DASHBOARD_URL.replace(/\/+$/, '')}/verify/${token}`;
}

function verificationText(link: string, email: string, expiresAt: Date): { subject: string; text: string } {
  return {
    subject: 'Verify your address on Cove',
    text: [
      `Someone (hopefully you) created a Cove account with this address (${email}).`,
      '',
      `Open this link to verify it (it works once, until ${expiresAt.toUTCString()}):`,
      link,
      '',
      'Until then, private apps that list this address do not open for the account. If you did not sign up, ignore this mail: nobody can use the address for access without this link.',
    ].join('\n'),
  };
}

/** Marks the account's address verified (idempotent). Another account verified it first: conflict. */
export async function markEmailVerified(
  db: Pick<Database, 'update'>,
  userId: string,
  now: Date = new Date(),
): Promise<void> {
  try {
    await db
      .update(users)
      .set({ emailVerifiedAt: now })
      .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)));
  } catch (error) {
    if (isUniqueViolation(error, 'users_verified_email_unique')) {
      throw new CoveError(
        'conflict',
        'Another account has already verified this address. Sign in with that account instead.',
      );
    }
    throw error;
  }
}

/** Mails a fresh link to the account's address; without mail, says what that means instead. */
export async function sendVerificationMail(
  deps: VerificationDeps,
  user: { id: string; email: string },
  now: Date = new Date(),
): Promise<VerificationMailOutcome> {
  if (!isMailConfigured(deps.config)) {
    return { isMailSent: false, message: `Your address is not verified. ${noMailVerificationNote}` };
  }
  const expiresAt = new Date(now.getTime() + deps.config.COVE_EMAIL_VERIFICATION_HOURS * 3600 * 1000);
  const [row] = await deps.db
    .insert(emailVerifications)
    .values({ userId: user.id, email: user.email, expiresAt })
    .returning({ id: emailVerifications.id });
  if (!row) throw new Error('insert returned no row');
  const token = signVerificationToken(deps.config.COVE_MASTER_KEY, {
    id: row.id,
    userId: user.id,
    email: user.email,
    expiresAtMs: expiresAt.getTime(),
  });
  try {
    await sendMail(deps.config, {
      to: user.email,
      ...verificationText(verificationLink(deps.config, token), user.email, expiresAt),
    });
  } catch (error) {
    return {
      isMailSent: false,
      message: `The verification mail could not be sent${mailErrorCode(error)}. Ask for a new link later, or tell the operator.`,
    };
  }
  return {
    isMailSent: true,
    message: `We sent a link to ${user.email}: open it to verify your address. Until then, private apps that list it do not open for you.`,
  };
}

export type VerificationResult =
  | { state: 'verified'; email: string }
  | { state: 'used' | 'expired' | 'invalid' | 'taken' };

export const verificationMessages: Record<VerificationResult['state'], string> = {
  verified: 'Your address is verified: private apps that list it now open for you.',
  used: 'This link has been used already. If it was you, your address is verified; otherwise sign in and ask for a new link.',
  expired: 'This link has expired. Sign in and ask for a new one.',
  invalid: 'This link is not valid. Use the latest link Cove mailed you, or sign in and ask for a new one.',
  taken: 'Another account has already verified this address. Sign in with that account instead.',
};

/** Follows a link: once, before it expires, for the address it was sent to. */
export async function confirmEmailAddress(
  deps: VerificationDeps,
  token: string,
  now: Date = new Date(),
): Promise<VerificationResult> {
  const keys = [
    deps.config.COVE_MASTER_KEY,
    ...(deps.config.COVE_PREVIOUS_MASTER_KEY ? [deps.config.COVE_PREVIOUS_MASTER_KEY] : []),
  ];
  const check = checkVerificationToken(token, keys, now);
  if (!check.isValid) return { state: check.reason === 'expired' ? 'expired' : 'invalid' };
  const { claims } = check;
  try {
    return await deps.db.transaction(async (tx): Promise<VerificationResult> => {
      const [used] = await tx
        .update(emailVerifications)
        .set({ usedAt: now })
        .where(
          and(
            eq(emailVerifications.id, claims.id),
            eq(emailVerifications.userId, claims.userId),
            eq(emailVerifications.email, claims.email),
            isNull(emailVerifications.usedAt),
          ),
        )
        .returning({ id: emailVerifications.id });
      if (!used) {
        const [row] = await tx
          .select({ id: emailVerifications.id })
          .from(emailVerifications)
          .where(eq(emailVerifications.id, claims.id));
        return { state: row ? 'used' : 'invalid' };
      }
      // The account must still name the address the link went to.
      const [user] = await tx
        .update(users)
        .set({ emailVerifiedAt: now })
        .where(and(eq(users.id, claims.userId), eq(users.email, claims.email), isNull(users.emailVerifiedAt)))
        .returning({ email: users.email });
      if (!user) {
        const [already] = await tx
          .select({ email: users.email })
          .from(users)
          .where(and(eq(users.id, claims.userId), eq(users.email, claims.email)));
        return already ? { state: 'verified', email: already.email } : { state: 'invalid' };
      }
      return { state: 'verified', email: user.email };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_verified_email_unique')) return { state: 'taken' };
    throw error;
  }
}
