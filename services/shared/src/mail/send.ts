// Mail through the operator's SMTP server (COVE_SMTP_URL): invitations and address verification.
// Without one, Cove sends nothing, and the callers say what happens instead.
import { createTransport } from 'nodemailer';
import type { CommonConfig } from '../config/schemas';

export type MailConfig = Pick<CommonConfig, 'COVE_SMTP_URL' | 'COVE_MAIL_FROM'>;

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export function isMailConfigured(config: MailConfig): boolean {
  return config.COVE_SMTP_URL !== undefined;
}

/** Resolves when the server accepted the mail, rejects with the transport's error. */
export async function sendMail(config: MailConfig, mail: OutgoingMail): Promise<void> {
  if (!config.COVE_SMTP_URL) throw new Error('No mail transport is configured (COVE_SMTP_URL).');
  // Bounded, so an unreachable mail server delays the person's request by seconds, not minutes.
  const transport = createTransport({
    url: config.COVE_SMTP_URL,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({ from: config.COVE_MAIL_FROM, ...mail });
  } finally {
    transport.close();
  }
}

/** The transport's error code (ECONNREFUSED, EAUTH...): its message may quote the server. */
export function mailErrorCode(error: unknown): string {
  return error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
}
