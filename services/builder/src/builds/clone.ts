// A shallow clone of exactly one commit (or the branch head) of a user-supplied repository, with
// the protections a hostile URL calls for: the URL policy checked again right before the fetch,
// git given the URL as the policy parsed it and the addresses it checked (no second DNS answer),
// no redirects, ext:: and file:// transports refused, `--` before the URL, no prompts, and a time
// limit.
import { mkdir } from 'node:fs/promises';
import { CoveError } from '@cove/shared/errors';
import { type GitCredentials, pinnedFetch, safeGit } from '@cove/shared/git/safe-git';
import {
  type GitUrlPolicy,
  type HostResolver,
  type PinnedGitUrl,
  pinGitUrl,
} from '@cove/shared/git/url-policy';
import { permanentFailure, shortSha, transientFailure } from '../failure';

export interface CloneRequest {
  repoUrl: string;
  branch: string;
  /** The commit to build; null builds the branch head. */
  commitSha: string | null;
  directory: string;
  policy: GitUrlPolicy;
  timeoutMs: number;
  /** Stops the clone early, e.g. when the build is cancelled. */
  signal?: AbortSignal;
  /**
   * An HTTP header git sends to URLs under urlPrefix only (a private repository's short-lived
   * token). It reaches git through its environment: never the URL, the arguments or .git/config.
   */
  credentials?: GitCredentials;
  /** How the policy resolves the host (the system's resolver unless a test gives one). */
  resolveHost?: HostResolver;
}

export interface ClonedCommit {
  sha: string;
  message: string;
  author: string;
}

/** Words for the ways a fetch fails; unknown errors stay transient (the network, the host). */
export function explainFetchError(stderr: string, request: CloneRequest): Error {
  const text = stderr.toLowerCase();
  const where = request.repoUrl;
  if (
    request.commitSha &&
    /not our ref|no such remote ref|couldn't find remote ref [0-9a-f]{7,}/.test(text)
  ) {
    return permanentFailure(
      `The commit ${shortSha(request.commitSha)} is not in the repository at ${where} (it may have been force-pushed away). Redeploy the branch head instead.`,
    );
  }
  if (/couldn't find remote ref/.test(text)) {
    return permanentFailure(
      `The branch \`${request.branch}\` does not exist in ${where}. Check the branch name in the app's settings.`,
    );
  }
  if (/returned error: 30[12378]/.test(text)) {
    return permanentFailure(
      `The repository at ${where} redirects to another address, and Cove does not follow redirects. Use the address it redirects to.`,
    );
  }
  if (/repository .* not found|not found|404|could not read username|authentication failed|403/.test(text)) {
    return permanentFailure(
      `Cove could not read the repository at ${where}: it does not exist, or it is private. Check the address.`,
    );
  }
  if (/could not resolve host/.test(text)) {
    return permanentFailure(
      `The host of ${where} could not be found. Check the repository address for typos.`,
    );
  }
  if (/aborted|timed out|timeout/.test(text)) {
    return transientFailure(
      `Cloning ${where} took longer than ${Math.round(request.timeoutMs / 1000)} seconds.`,
    );
  }
  return transientFailure(`Cove could not fetch ${where}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
}

export async function cloneCommit(request: CloneRequest): Promise<ClonedCommit> {
  let pinned: PinnedGitUrl;
  try {
    pinned = await pinGitUrl(request.repoUrl, request.policy, request.resolveHost);
  } catch (error) {
    if (error instanceof CoveError) throw permanentFailure(error.message);
    throw error;
  }
  await mkdir(request.directory, { recursive: true });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  const stopClone = () => controller.abort();
  request.signal?.addEventListener('abort', stopClone, { once: true });
  const fetchFrom = pinnedFetch(pinned);
  const git = safeGit({
    directory: request.directory,
    fetchConfig: fetchFrom.config,
    abort: controller.signal,
    credentials: request.credentials,
  });
  const ref = request.commitSha ?? `refs/heads/${request.branch}`;
  try {
    await git.init();
    try {
      await git.raw(['fetch', '--quiet', '--depth', '1', '--no-tags', '--', fetchFrom.url, ref]);
    } catch (error) {
      throw explainFetchError(controller.signal.aborted ? 'aborted' : String(error), request);
    }
    await git.raw(['checkout', '--quiet', 'FETCH_HEAD']);
    const output = await git.raw(['log', '-1', '--format=%H%n%an <%ae>%n%s']);
    const [sha = '', author = '', message = ''] = output.split('\n');
    return { sha, author, message };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', stopClone);
  }
}
