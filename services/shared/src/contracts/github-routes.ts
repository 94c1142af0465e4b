// The GitHub routes of /api/v1 and their named schemas, spread into the route table (routes.ts).
import * as gitHubContracts from './github';
import type { ApiRoute } from './routes';

export const gitHubSchemas = {
  GitHubInstallationsResponse: gitHubContracts.gitHubInstallationsResponse,
  GitHubRepositoriesResponse: gitHubContracts.gitHubRepositoriesResponse,
  GitHubBranchesResponse: gitHubContracts.gitHubBranchesResponse,
  GitHubFilesResponse: gitHubContracts.gitHubFilesResponse,
  GitHubWebhookResponse: gitHubContracts.gitHubWebhookResponse,
};

export const gitHubRoutes: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/github/installations',
    operationId: 'listGitHubInstallations',
    summary:
      "Whether GitHub is configured, where to connect it, and the workspace's GitHub App installations.",
    auth: 'user',
    status: 200,
    answer: { schema: 'GitHubInstallationsResponse', description: 'The installations.' },
  },
  {
    method: 'get',
    path: '/github/connect',
    operationId: 'connectGitHub',
    summary: "Redirects to GitHub's page that installs the GitHub App, with a signed state (developer role).",
    auth: 'user',
    status: 303,
    answer: { description: "Redirect to GitHub's install page.", contentType: 'text/plain' },
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/github/setup',
    operationId: 'finishGitHubSetup',
    summary:
      "GitHub's setup redirect after an installation: checks the state, links the installation to the workspace, and redirects to the new-app page.",
    auth: 'user',
    query: gitHubContracts.gitHubSetupQuery,
    status: 303,
    answer: {
      description: 'Redirect to the new-app page (with github_error=<message> on failure).',
      contentType: 'text/plain',
    },
  },
  {
    method: 'get',
    path: '/github/repos',
    operationId: 'listGitHubRepositories',
    summary: "The repositories the workspace's installations can read (developer role).",
    auth: 'user',
    status: 200,
    answer: { schema: 'GitHubRepositoriesResponse', description: 'The repositories.' },
    errors: [403, 404, 429, 502],
  },
  {
    method: 'get',
    path: '/github/repos/{owner}/{repo}/branches',
    operationId: 'listGitHubBranches',
    summary: "A repository's branches (developer role).",
    auth: 'user',
    status: 200,
    answer: { schema: 'GitHubBranchesResponse', description: 'The branches.' },
    errors: [403, 404, 429, 502],
  },
  {
    method: 'get',
    path: '/github/repos/{owner}/{repo}/files',
    operationId: 'listGitHubPythonFiles',
    summary: 'The Python files of a branch, for picking the main file (developer role).',
    auth: 'user',
    query: gitHubContracts.gitHubFilesQuery,
    status: 200,
    answer: { schema: 'GitHubFilesResponse', description: 'The files.' },
    errors: [400, 403, 404, 429, 502],
  },
  {
    method: 'post',
    path: '/github/webhook',
    operationId: 'receiveGitHubAppWebhook',
    summary:
      "The GitHub App's webhook: push events redeploy the linked apps following the branch; installation deleted unlinks it. Signed with COVE_GITHUB_WEBHOOK_SECRET.",
    auth: 'webhook-signature',
    status: 202,
    answer: {
      schema: 'GitHubWebhookResponse',
      description: 'Queued, or ignored with the reason (a ping answers 200).',
    },
    errors: [400, 401, 404, 409],
  },
];
