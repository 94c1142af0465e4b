// A mail server in miniature for tests: an SMTP server on 127.0.0.1 that keeps what it receives, so
// a test can read the mail Cove sent (and follow its link) as the person it went to would.
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message; see mailText for its readable form. */
  data: string;
}

export interface MailServer {
  /** For COVE_SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** The newest mail to this address, waited for (bounded), as readable text. */
  waitForMailTo(address: string, options?: { timeoutMs?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Undoes quoted-printable soft breaks and folded header lines, so links and subjects read whole. */
export function mailText(mail: ReceivedMail): string {
  return mail.data.replace(/=\r?\n/g, '').replace(/\r?\n /g, ' ');
}

export async function startMailServer(): Promise<MailServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the mail server has no TCP port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    async waitForMailTo(address, options = {}) {
      const mail = await waitFor(() => received.findLast((message) => message.to.includes(address)), {
        timeoutMs: options.timeoutMs ?? 10_000,
        description: `a mail to ${address}`,
      });
      return mailText(mail);
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
