// What the new-app form's pickers show: the repositories the workspace's installations can read,
// a repository's branches and the Python files of a branch. GitHub is asked with installation tokens.
import type { z } from 'zod';
import type { GitHubRepositoriesResponse, gitHubFilesResponse } from '../contracts/github';
import { gitHubFilesQuery, gitHubRepositoryFullName } from '../contracts/github';
import { parseInput } from '../contracts/validation';
import { gitHubClientFor } from './client';
import type { GitHubDeps } from './deps';
import { installationForRepository, listInstallations } from './installations';
import { requireGitHubApp } from './settings';

export async function listWorkspaceRepositories(
  deps: GitHubDeps,
  workspaceId: string,
): Promise<GitHubRepositoriesResponse> {
  const client = gitHubClientFor(requireGitHubApp(deps.config));
  const installations = await listInstallations(deps, workspaceId);
  const lists = await Promise.all(
    installations.map(async (installation) =>
      (await client.listRepositories(installation.installationId)).map((repository) => ({
        fullName: repository.full_name,
        isPrivate: repository.private,
        defaultBranch: repository.default_branch ?? null,
        installationId: installation.installationId,
      })),
    ),
  );
  return { repositories: lists.flat().sort((a, b) => a.fullName.localeCompare(b.fullName)) };
}

function fullNameOf(owner: string, repo: string): string {
  return parseInput(gitHubRepositoryFullName, `${owner}/${repo}`);
}

export async function listRepositoryBranches(
  deps: GitHubDeps,
  workspaceId: string,
  owner: string,
  repo: string,
): Promise<{ branches: string[] }> {
  const fullName = fullNameOf(owner, repo);
  const installation = await installationForRepository(deps, workspaceId, fullName);
  const client = gitHubClientFor(requireGitHubApp(deps.config));
  return { branches: await client.listBranches(installation.installationId, fullName) };
}

export async function listRepositoryFiles(
  deps: GitHubDeps,
  workspaceId: string,
  owner: string,
  repo: string,
  query: unknown,
): Promise<z.infer<typeof gitHubFilesResponse>> {
  const fullName = fullNameOf(owner, repo);
  const { branch } = parseInput(gitHubFilesQuery, query);
  const installation = await installationForRepository(deps, workspaceId, fullName);
  const client = gitHubClientFor(requireGitHubApp(deps.config));
  return client.listPythonFiles(installation.installationId, fullName, branch);
}
