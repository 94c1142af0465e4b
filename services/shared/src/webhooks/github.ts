// GitHub push webhooks: the signature check over the raw body (X-Hub-Signature-256) and the few
// fields of a push event Cove acts on. Replay protection (X-GitHub-Delivery) lives with the caller.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CoveError } from '../errors';

const signaturePrefix = 'sha256=';
const sha256HexLength = 64;

/** 'sha256=' + the hex HMAC-SHA256 of the body, exactly as GitHub sends it in X-Hub-Signature-256. */
export function signGitHubPayload(secret: string, body: Buffer | string): string {
  return signaturePrefix + createHmac('sha256', secret).update(body).digest('hex');
}

/** True only when the header is a well-formed sha256 signature of rawBody under secret. */
export function verifyGitHubSignature(
  secret: string,
  rawBody: Buffer | string,
  signatureHeader: string | null,
): boolean {
  // An empty secret would let anyone compute a valid signature.
  if (secret.length === 0 || signatureHeader === null) return false;
  const header = signatureHeader.trim();
  if (!header.startsWith(signaturePrefix)) return false;
  const hex = header.slice(signaturePrefix.length);
  if (hex.length !== sha256HexLength || !/^[0-9a-fA-F]+$/.test(hex)) return false;
  const received = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** A git object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
const commitId = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'a full commit sha');

/** Only the fields of GitHub's push event that Cove reads; everything else is ignored. */
export const pushEventSchema = z.object({
  ref: z.string().min(1),
  after: commitId,
  deleted: z.boolean().optional(),
  head_commit: z
    .object({
      id: commitId,
      message: z.string(),
      author: z.object({ name: z.string(), email: z.string().optional() }),
    })
    .nullable(),
  repository: z
    .object({
      full_name: z.string().optional(),
      clone_url: z.string().optional(),
      default_branch: z.string().optional(),
    })
    .optional(),
});
export type PushEventPayload = z.infer<typeof pushEventSchema>;

export interface PushEvent {
  branch: string;
  /** The commit the branch now points at (all zeros when the branch was deleted). */
  commitSha: string;
  /** The head commit's message, or null when the push carries no head commit (a deletion). */
  message: string | null;
  author: { name: string; email?: string } | null;
  isBranchDeletion: boolean;
}

const branchRefPrefix = 'refs/heads/';
const deletedSha = /^0+$/;

function parseJsonBody(rawBody: Buffer | string): unknown {
  let text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  // A webhook configured with content type application/x-www-form-urlencoded sends payload=<json>.
  if (text.startsWith('payload=')) text = new URLSearchParams(text).get('payload') ?? '';
  try {
    return JSON.parse(text);
  } catch {
    throw new CoveError(
      'invalid_input',
      'The webhook body is not valid JSON. Send the push event exactly as GitHub delivers it.',
    );
  }
}

/** Reads a push event's raw body; a malformed body or a push to a tag is a CoveError('invalid_input'). */
export function parsePushEvent(rawBody: Buffer | string): PushEvent {
  const parsed = pushEventSchema.safeParse(parseJsonBody(rawBody));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
    throw new CoveError('invalid_input', `The webhook body is not a GitHub push event${where}.`);
  }
  const event = parsed.data;
  if (!event.ref.startsWith(branchRefPrefix) || event.ref.length === branchRefPrefix.length) {
    throw new CoveError(
      'invalid_input',
      `The push is for ${event.ref}, which is not a branch; Cove deploys branches only.`,
    );
  }
  const headCommit = event.head_commit;
  return {
    branch: event.ref.slice(branchRefPrefix.length),
    commitSha: event.after,
    message: headCommit?.message ?? null,
    author: headCommit
      ? {
          name: headCommit.author.name,
          ...(headCommit.author.email === undefined ? {} : { email: headCommit.author.email }),
        }
      : null,
    isBranchDeletion: event.deleted === true || deletedSha.test(event.after),
  };
}
