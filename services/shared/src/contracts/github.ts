// The GitHub part of /api/v1: connecting the operator's GitHub App to a workspace, and the pickers
// (repository, branch, main file) of the new-app form.
import { z } from 'zod';

export const gitHubRepositoryFullName = z
  .string({ error: 'Pick a GitHub repository (owner/name).' })
  .trim()
  .max(200)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*)\/[A-Za-z0-9._-]+$/, 'Give the GitHub repository as owner/name.')
  .refine(
    (value) => !value.endsWith('.git') && !value.split('/').includes('..'),
    'Give the GitHub repository as owner/name.',
  );

export const gitHubInstallationView = z.object({
  installationId: z.number().int(),
  accountLogin: z.string(),
  accountType: z.string().describe('User or Organization.'),
  createdAt: z.iso.datetime(),
});

export const gitHubInstallationsResponse = z.object({
  isConfigured: z.boolean().describe('Whether the operator configured a GitHub App on this Cove.'),
  connectUrl: z.string().nullable().describe('Where "Connect GitHub" goes; null without a GitHub App.'),
  installations: z.array(gitHubInstallationView),
});
export type GitHubInstallationsResponse = z.infer<typeof gitHubInstallationsResponse>;

export const gitHubRepositoryView = z.object({
  fullName: z.string(),
  isPrivate: z.boolean(),
  defaultBranch: z.string().nullable(),
  installationId: z.number().int(),
});
export const gitHubRepositoriesResponse = z.object({ repositories: z.array(gitHubRepositoryView) });
export type GitHubRepositoriesResponse = z.infer<typeof gitHubRepositoriesResponse>;

export const gitHubBranchesResponse = z.object({ branches: z.array(z.string()) });

export const gitHubFilesQuery = z.object({
  branch: z.string({ error: 'Give the branch.' }).trim().min(1, 'Give the branch.').max(200),
});
export const gitHubFilesResponse = z.object({
  paths: z.array(z.string()).describe('The .py files of the branch, shallowest first.'),
  isTruncated: z.boolean().describe('GitHub cut the tree short: type the path if it is not listed.'),
});

/** GitHub's setup redirect after an installation: /github/setup?installation_id=..&setup_action=..&state=.. */
export const gitHubSetupQuery = z.object({
  installation_id: z.coerce
    .number({ error: 'The link from GitHub has no installation.' })
    .int()
    .positive('The link from GitHub has no installation.'),
  setup_action: z.string().optional(),
  code: z
    .string()
    .max(200)
    .optional()
    .describe("GitHub's OAuth code (user authorization during installation)."),
  state: z.string({ error: 'The link from GitHub has no state; start again from "Connect GitHub".' }).min(1),
});

export const gitHubWebhookResponse = z.object({
  deploymentIds: z
    .array(z.uuid())
    .describe('The deployments queued, one per app following the pushed branch.'),
  message: z.string(),
});
export type GitHubWebhookResponse = z.infer<typeof gitHubWebhookResponse>;
