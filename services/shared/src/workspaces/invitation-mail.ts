// The invitation mail, sent through the operator's SMTP server (COVE_SMTP_URL). Without one, Cove
// sends nothing and the owner passes the link on.
import type { MemberRole } from '../db/schema/identity';
import { type MailConfig, sendMail } from '../mail/send';

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
  await sendMail(config, { to: mail.to, ...invitationText(mail) });
}
