// An app created from a GitHub repository: the workspace must have the App installed on the
// repository's owner, and the installation must see the branch. The clone URL is the configured
// GitHub's, so the URL policy for user-typed addresses does not apply to it.
import { CoveError } from '../errors';
import { gitHubClientFor } from './client';
import type { GitHubDeps } from './deps';
import { installationForRepository } from './installations';
import { gitHubCloneUrl, requireGitHubApp } from './settings';

export async function resolveGitHubRepository(
  deps: GitHubDeps,
  workspaceId: string,
  fullName: string,
  branch: string,
): Promise<{ repoUrl: string; githubInstallationId: number; githubRepoFullName: string }> {
  const settings = requireGitHubApp(deps.config);
  const installation = await installationForRepository(deps, workspaceId, fullName);
  let branches: string[];
  try {
    branches = await gitHubClientFor(settings).listBranches(installation.installationId, fullName);
  } catch (error) {
    if (error instanceof CoveError && error.code === 'not_found') {
      throw new CoveError(error.code, error.message, { fields: { githubRepository: error.message } });
    }
    throw error;
  }
  if (!branches.includes(branch)) {
    const message = `${fullName} has no branch ${branch}.`;
    throw new CoveError('invalid_input', message, { fields: { branch: message } });
  }
  return {
    repoUrl: gitHubCloneUrl(settings, fullName),
    githubInstallationId: installation.installationId,
    githubRepoFullName: fullName,
  };
}
