// Push webhooks from any of the forges Cove understands, told apart by their headers: GitLab
// (X-Gitlab-Event, the secret itself in X-Gitlab-Token), Gitea and Forgejo (X-Gitea-Event or
// X-Forgejo-Event, a hex HMAC-SHA256 of the body in X-Gitea-Signature or X-Forgejo-Signature), and
// GitHub otherwise (X-Hub-Signature-256). Each becomes the same PushEvent, so the replay and branch
// rules (apps/push-webhook.ts) are one for all.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CoveError } from '../errors';
import { type PushEvent, parsePushEvent, verifyGitHubSignature } from './github';

export const forges = ['github', 'gitlab', 'gitea'] as const;
export type Forge = (typeof forges)[number];

export const forgeNames: Record<Forge, string> = { github: 'GitHub', gitlab: 'GitLab', gitea: 'Gitea' };

/** Gitea sends GitHub's headers too (and Forgejo, Gitea's): its own are looked at first. */
export function detectForge(headers: Headers): Forge {
  if (headers.has('x-gitlab-event') || headers.has('x-gitlab-token')) return 'gitlab';
  if (
    headers.has('x-gitea-event') ||
    headers.has('x-gitea-signature') ||
    headers.has('x-forgejo-event') ||
    headers.has('x-forgejo-signature')
  )
    return 'gitea';
  return 'github';
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GitLab sends the secret itself: compared in constant time (hashed first, so lengths leak nothing). */
export function verifyGitLabToken(secret: string, tokenHeader: string | null): boolean {
  if (secret.length === 0 || tokenHeader === null) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return sameBytes(digest(tokenHeader), digest(secret));
}

/** The hex HMAC-SHA256 of the body, as Gitea and Forgejo send it (no prefix). */
export function signGiteaPayload(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function verifyGiteaSignature(
  secret: string,
  rawBody: Buffer | string,
  header: string | null,
): boolean {
  if (secret.length === 0 || header === null) return false;
  const hex = header.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  return sameBytes(Buffer.from(hex, 'hex'), createHmac('sha256', secret).update(rawBody).digest());
}

export function verifyForgeDelivery(
  forge: Forge,
  secret: string,
  rawBody: Buffer,
  headers: Headers,
): boolean {
  switch (forge) {
    case 'github':
      return verifyGitHubSignature(secret, rawBody, headers.get('x-hub-signature-256'));
    case 'gitlab':
      return verifyGitLabToken(secret, headers.get('x-gitlab-token'));
    case 'gitea':
      return verifyGiteaSignature(
        secret,
        rawBody,
        headers.get('x-gitea-signature') ?? headers.get('x-forgejo-signature'),
      );
    default: {
      const unknown: never = forge;
      throw new Error(`unknown forge ${String(unknown)}`);
    }
  }
}

/** Why a delivery's secret did not check out, and where the person puts the right one. */
export function invalidSecretMessage(forge: Forge): string {
  switch (forge) {
    case 'github':
      return 'The X-Hub-Signature-256 header is missing or does not match the body. Use the webhook secret shown on the app page.';
    case 'gitlab':
      return "The X-Gitlab-Token header is missing or is not this app's webhook secret. Put the secret shown on the app page in the webhook's Secret token.";
    case 'gitea':
      return "The X-Gitea-Signature header is missing or does not match the body. Put the secret shown on the app page in the webhook's Secret.";
    default: {
      const unknown: never = forge;
      throw new Error(`unknown forge ${String(unknown)}`);
    }
  }
}

/** 'push', 'ping', or the forge's own name of another event. */
export function forgeEvent(forge: Forge, headers: Headers): string {
  switch (forge) {
    case 'github':
      return headers.get('x-github-event') ?? 'push';
    case 'gitlab': {
      const event = headers.get('x-gitlab-event') ?? 'Push Hook';
      return event === 'Push Hook' ? 'push' : event;
    }
    case 'gitea':
      return headers.get('x-gitea-event') ?? headers.get('x-forgejo-event') ?? 'push';
    default: {
      const unknown: never = forge;
      throw new Error(`unknown forge ${String(unknown)}`);
    }
  }
}

/**
 * The delivery's id, unique per delivery, for the replay check; ids of forges other than GitHub
 * are prefixed with the forge's name (one table holds them all). GitLab: Idempotency-Key (17.4 on,
 * the same on a retry), else X-Gitlab-Event-UUID.
 */
export function forgeDeliveryId(forge: Forge, headers: Headers): { id: string; header: string } | null {
  const header = {
    github: 'x-github-delivery',
    gitlab: headers.has('idempotency-key') ? 'idempotency-key' : 'x-gitlab-event-uuid',
    gitea: headers.has('x-gitea-delivery') ? 'x-gitea-delivery' : 'x-forgejo-delivery',
  }[forge];
  const value = headers.get(header)?.trim() ?? '';
  if (value === '' || value.length > 200) return null;
  return { id: forge === 'github' ? value : `${forge}:${value}`, header };
}

/** A git object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
const commitId = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'a full commit sha');

const commitSchema = z.object({
  id: commitId,
  message: z.string(),
  author: z.object({ name: z.string(), email: z.string().optional() }),
});

/** The fields of GitLab's and Gitea's push events Cove reads (both list the pushed commits). */
const listedPushSchema = z.object({
  ref: z.string().min(1),
  after: commitId,
  commits: z.array(commitSchema).default([]),
  head_commit: commitSchema.nullish(),
});

const branchRefPrefix = 'refs/heads/';
const deletedSha = /^0+$/;

function parseJson(rawBody: Buffer, forgeName: string): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new CoveError(
      'invalid_input',
      `The webhook body is not valid JSON. Send the push event exactly as ${forgeName} delivers it (content type application/json).`,
    );
  }
}

function parseListedPush(rawBody: Buffer, forge: 'gitlab' | 'gitea'): PushEvent {
  const forgeName = forgeNames[forge];
  const parsed = listedPushSchema.safeParse(parseJson(rawBody, forgeName));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
    throw new CoveError('invalid_input', `The webhook body is not a ${forgeName} push event${where}.`);
  }
  const event = parsed.data;
  if (!event.ref.startsWith(branchRefPrefix) || event.ref.length === branchRefPrefix.length) {
    throw new CoveError(
      'invalid_input',
      `The push is for ${event.ref}, which is not a branch; Cove deploys branches only.`,
    );
  }
  // The commits are listed oldest first; the head is the one the branch now points at.
  const head = event.head_commit ?? event.commits.find((commit) => commit.id === event.after) ?? null;
  return {
    branch: event.ref.slice(branchRefPrefix.length),
    commitSha: event.after,
    message: head?.message ?? null,
    author: head
      ? { name: head.author.name, ...(head.author.email === undefined ? {} : { email: head.author.email }) }
      : null,
    isBranchDeletion: deletedSha.test(event.after),
  };
}

export function parseForgePush(forge: Forge, rawBody: Buffer): PushEvent {
  return forge === 'github' ? parsePushEvent(rawBody) : parseListedPush(rawBody, forge);
}

/** A pull (merge) request event: what it means for the app's preview. */
export interface PullRequestEvent {
  number: number;
  /** deploy: opened, reopened or pushed to; remove: closed or merged; ignore: anything else. */
  intent: 'deploy' | 'remove' | 'ignore';
  action: string;
  /** The branch it asks to merge into. */
  baseBranch: string;
  headBranch: string;
  headSha: string;
  /** Where its head can be cloned from (a fork's own repository), when the forge says. */
  headCloneUrl: string | null;
  title: string;
  author: string | null;
}

/** The events that are pull requests, by each forge's header. */
export function isPullRequestEvent(forge: Forge, event: string): boolean {
  if (forge === 'gitlab') return event === 'Merge Request Hook';
  return event === 'pull_request' || (forge === 'gitea' && event === 'pull_request_sync');
}

const repoOf = z.object({ clone_url: z.string().optional() }).nullish();
const branchSide = z.object({ ref: z.string().min(1), sha: commitId, repo: repoOf });

/** GitHub's and Gitea's pull_request payload: the same shape where Cove reads it. */
const gitHubStylePullRequest = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    title: z.string().default(''),
    user: z.object({ login: z.string() }).nullish(),
    head: branchSide,
    base: branchSide.pick({ ref: true }),
  }),
});

const gitLabMergeRequest = z.object({
  object_kind: z.literal('merge_request'),
  user: z.object({ username: z.string() }).nullish(),
  object_attributes: z.object({
    iid: z.number().int().positive(),
    action: z.string().default('open'),
    title: z.string().default(''),
    source_branch: z.string().min(1),
    target_branch: z.string().min(1),
    last_commit: z.object({ id: commitId }),
    source: z.object({ git_http_url: z.string().optional() }).nullish(),
  }),
});

const deployActions: Record<Forge, readonly string[]> = {
  github: ['opened', 'reopened', 'synchronize'],
  gitea: ['opened', 'reopened', 'synchronized'],
  gitlab: ['open', 'reopen', 'update'],
};
const removeActions: Record<Forge, readonly string[]> = {
  github: ['closed'],
  gitea: ['closed'],
  gitlab: ['close', 'merge'],
};

function intentOf(forge: Forge, action: string): PullRequestEvent['intent'] {
  if (deployActions[forge].includes(action)) return 'deploy';
  if (removeActions[forge].includes(action)) return 'remove';
  return 'ignore';
}

export function parseForgePullRequest(forge: Forge, rawBody: Buffer): PullRequestEvent {
  const forgeName = forgeNames[forge];
  const json = parseJson(rawBody, forgeName);
  const refuse = (issues: z.core.$ZodIssue[]) => {
    const issue = issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
    return new CoveError(
      'invalid_input',
      `The webhook body is not a ${forgeName} pull request event${where}.`,
    );
  };
  if (forge === 'gitlab') {
    const parsed = gitLabMergeRequest.safeParse(json);
    if (!parsed.success) throw refuse(parsed.error.issues);
    const request = parsed.data.object_attributes;
    return {
      number: request.iid,
      intent: intentOf(forge, request.action),
      action: request.action,
      baseBranch: request.target_branch,
      headBranch: request.source_branch,
      headSha: request.last_commit.id,
      headCloneUrl: request.source?.git_http_url ?? null,
      title: request.title,
      author: parsed.data.user?.username ?? null,
    };
  }
  const parsed = gitHubStylePullRequest.safeParse(json);
  if (!parsed.success) throw refuse(parsed.error.issues);
  const { action, number, pull_request: request } = parsed.data;
  return {
    number,
    intent: intentOf(forge, action),
    action,
    baseBranch: request.base.ref,
    headBranch: request.head.ref,
    headSha: request.head.sha,
    headCloneUrl: request.head.repo?.clone_url ?? null,
    title: request.title,
    author: request.user?.login ?? null,
  };
}
