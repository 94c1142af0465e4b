// The invitation mail, sent through the operator's SMTP server (COVE_SMTP_URL). Without one, Cove
// sends nothing and the owner passes the link on.
import { createTransport } from 'nodemailer';
import type { CommonConfig } from '../config/schemas';
import type { MemberRole } from '../db/schema/identity';

export type MailConfig = Pick<CommonConfig, 'COVE_SMTP_URL' | 'COVE_MAIL_FROM'>;

export interface InvitationMail {
  to: string;
  workspaceName: string;
  inviterEmail: string | null;
  role: MemberRole;
  link: string;
  expiresAt: Date;
}

const roleWords: Record<MemberRole, string> = {
  owner: 'an owner (everything, including members)',
  developer: 'a developer (apps, deployments and secrets)',
  viewer: 'a viewer (open the apps and see their status)',
};

export function isMailConfigured(config: MailConfig): boolean {
  return config.COVE_SMTP_URL !== undefined;
}

export function invitationText(mail: InvitationMail): { subject: string; text: string } {
  const who = mail.inviterEmail ?? 'An owner';
  return {
    subject: `You are invited to ${mail.workspaceName} on Cove`,
    text: [
      `${who} invited you to join the workspace "${mail.workspaceName}" on Cove as ${roleWords[mail.role]}.`,
      '',
      `Open this link to accept (it works once, until ${mail.expiresAt.toUTCString()}):`,
      mail.link,
      '',
      `Sign in or sign up with this address (${mail.to}) to accept. If you did not expect this, ignore it.`,
    ].join('\n'),
  };
}

/** Sends the mail; resolves when the server accepted it, rejects with the transport's error. */
export async function sendInvitationMail(config: MailConfig, mail: InvitationMail): Promise<void> {
  if (!config.COVE_SMTP_URL) throw new Error('No mail transport is configured (COVE_SMTP_URL).');
  // Bounded, so an unreachable mail server delays the owner's request by seconds, not minutes.
  const transport = createTransport({
    url: config.COVE_SMTP_URL,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({ from: config.COVE_MAIL_FROM, to: mail.to, ...invitationText(mail) });
  } finally {
    transport.close();
  }
}
