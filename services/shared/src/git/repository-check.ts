// Checks a repository before Cove accepts it (at creation, and when the settings change its URL,
// branch or main file): the URL passes the policy, the server answers `git ls-remote`, the branch
// exists, and the main file is in the branch head. Only trees are fetched (--filter=blob:none where
// the server allows it), in a temporary directory, within a time limit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoveError } from '../errors';
import { pinnedFetch, safeGit } from './safe-git';
import { type GitUrlPolicy, type HostResolver, pinGitUrl } from './url-policy';

export interface RepositoryCheckRequest {
  repoUrl: string;
  branch: string;
  mainFile: string;
  policy: GitUrlPolicy;
  timeoutMs: number;
  resolveHost?: HostResolver;
}

export type RepositoryField = 'repoUrl' | 'branch' | 'mainFile';

function problem(
  field: RepositoryField,
  message: string,
  code: 'repository_check_failed' | 'unsafe_git_url' = 'repository_check_failed',
): CoveError {
  return new CoveError(code, message, { fields: { [field]: message } });
}

/** The branch names of an `ls-remote --heads` answer. */
export function branchesOf(lsRemoteOutput: string): string[] {
  return lsRemoteOutput
    .split('\n')
    .map((line) => line.split('\t')[1]?.trim() ?? '')
    .filter((ref) => ref.startsWith('refs/heads/'))
    .map((ref) => ref.slice('refs/heads/'.length));
}

/** Plain words for why git could not read the repository (stderr in, a message out). */
export function explainRemoteError(stderr: string, repoUrl: string, timeoutMs: number): string {
  const text = stderr.toLowerCase();
  if (/aborted|timed out|timeout/.test(text)) {
    return `${repoUrl} did not answer within ${Math.round(timeoutMs / 1000)} seconds. Check the address, or try again if the server is slow.`;
  }
  if (/returned error: 30[12378]/.test(text)) {
    return `The repository at ${repoUrl} redirects to another address, and Cove does not follow redirects. Use the address it redirects to.`;
  }
  if (/could not resolve host/.test(text)) {
    return `The host of ${repoUrl} could not be found. Check the repository URL for typos.`;
  }
  if (/failed to connect|couldn't connect|connection refused|no route to host/.test(text)) {
    return `Nothing answered at ${repoUrl}. Check the address: it is the one you would give to git clone.`;
  }
  if (/not found|404|could not read username|authentication|403|401|not valid|repository/.test(text)) {
    return `Cove could not read a git repository at ${repoUrl}: it does not exist, or it is private. Check the address (the one you would give to git clone).`;
  }
  return `Cove could not read a git repository at ${repoUrl}. Check the address (the one you would give to git clone).`;
}

function listNames(names: readonly string[], limit: number): string {
  const shown = names.slice(0, limit).map((name) => `\`${name}\``);
  const more = names.length > limit ? ` and ${names.length - limit} more` : '';
  return `${shown.join(', ')}${more}`;
}

/** Throws a CoveError naming the field to fix; returns the branch head's commit. */
export async function checkRepository(request: RepositoryCheckRequest): Promise<{ headSha: string }> {
  let fetchFrom: { url: string; config: string[] };
  try {
    fetchFrom = pinnedFetch(await pinGitUrl(request.repoUrl, request.policy, request.resolveHost));
  } catch (error) {
    if (error instanceof CoveError) throw problem('repoUrl', error.message, 'unsafe_git_url');
    throw error;
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'cove-repo-check-'));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  const git = safeGit({ directory, fetchConfig: fetchFrom.config, abort: controller.signal });
  const failed = (error: unknown) =>
    controller.signal.aborted ? 'aborted' : error instanceof Error ? error.message : String(error);
  try {
    let heads: string;
    try {
      heads = await git.raw(['ls-remote', '--heads', '--', fetchFrom.url]);
    } catch (error) {
      throw problem('repoUrl', explainRemoteError(failed(error), request.repoUrl, request.timeoutMs));
    }
    const branches = branchesOf(heads);
    if (branches.length === 0) {
      throw problem(
        'repoUrl',
        `The repository at ${request.repoUrl} is empty: it has no branches yet. Push your code first.`,
      );
    }
    if (!branches.includes(request.branch)) {
      throw problem(
        'branch',
        `The branch \`${request.branch}\` is not in the repository. Its branches: ${listNames(branches, 8)}.`,
      );
    }
    try {
      await git.init();
      await git.raw([
        'fetch',
        '--quiet',
        '--depth',
        '1',
        '--no-tags',
        '--filter=blob:none',
        '--',
        fetchFrom.url,
        `refs/heads/${request.branch}`,
      ]);
    } catch (error) {
      throw problem('repoUrl', explainRemoteError(failed(error), request.repoUrl, request.timeoutMs));
    }
    const headSha = (await git.raw(['rev-parse', 'FETCH_HEAD'])).trim();
    const found = await git.raw(['ls-tree', '--name-only', 'FETCH_HEAD', '--', request.mainFile]);
    if (found.trim() !== request.mainFile) {
      const topLevel = (await git.raw(['ls-tree', '--name-only', 'FETCH_HEAD']))
        .split('\n')
        .filter((name) => name !== '');
      const pythonFiles = topLevel.filter((name) => name.endsWith('.py'));
      const hint =
        pythonFiles.length > 0
          ? `Python files at the top level: ${listNames(pythonFiles, 8)}.`
          : `Files at the top level: ${topLevel.length > 0 ? listNames(topLevel, 8) : 'none'}.`;
      throw problem(
        'mainFile',
        `The main file \`${request.mainFile}\` is not in the branch \`${request.branch}\` (commit ${headSha.slice(0, 7)}). ${hint}`,
      );
    }
    return { headSha };
  } finally {
    clearTimeout(timer);
    await rm(directory, { recursive: true, force: true });
  }
}
