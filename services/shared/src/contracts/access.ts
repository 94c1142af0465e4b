// The shapes of private apps' access: the allow-list of emails (/apps/{name}/access) and the
// dashboard's access page query (/access?app=&return=).
import { z } from 'zod';
import { appVisibilities } from '../db/schema/apps';

export const maxAccessEmails = 500;

const accessEmail = z
  .string({ error: 'Each entry must be an email address.' })
  .trim()
  .toLowerCase()
  .max(320, 'An email address has at most 320 characters.')
  .pipe(z.email('Enter valid email addresses, one per line.'));

export const appAccessView = z.object({
  visibility: z.enum(appVisibilities),
  emails: z
    .array(
      z.object({
        email: z.string(),
        addedAt: z.iso.datetime(),
        isVerified: z
          .boolean()
          .describe(
            'Whether an account has verified this address; until then the entry opens nothing (no account yet, or one that has not proved the address).',
          ),
      }),
    )
    .describe('People outside the workspace who may open the app while it is private (members always may).'),
  verificationNote: z
    .string()
    .describe('What a listed email needs before it opens the app, and how this Cove verifies addresses.'),
});
export type AppAccessView = z.infer<typeof appAccessView>;

export const replaceAppAccessRequest = z
  .object({
    emails: z
      .array(accessEmail, { error: 'Give the list of email addresses as "emails": [...].' })
      .max(maxAccessEmails, `An app's access list holds at most ${maxAccessEmails} emails.`),
  })
  .strict();
export type ReplaceAppAccessRequest = z.infer<typeof replaceAppAccessRequest>;

export const replaceAppAccessResponse = appAccessView.extend({ message: z.string() });
export type ReplaceAppAccessResponse = z.infer<typeof replaceAppAccessResponse>;

/** The dashboard's /access page: which app, and where on it to return. */
export const accessPageQuery = z.object({
  app: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/),
  return: z.string().optional(),
});
