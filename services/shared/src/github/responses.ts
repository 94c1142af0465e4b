// The few fields of GitHub's REST answers Cove reads, as zod schemas: anything else GitHub sends
// is ignored, and an answer missing one of these is an error rather than a silent undefined.
import { z } from 'zod';

export const installationAccount = z.object({
  login: z.string(),
  id: z.number().int(),
  type: z.string().optional(),
});

export const installationResponse = z.object({
  id: z.number().int(),
  app_id: z.number().int().optional(),
  account: installationAccount.nullable(),
  target_type: z.string(),
  repository_selection: z.enum(['all', 'selected']),
  suspended_at: z.string().nullable().optional(),
});
export type InstallationResponse = z.infer<typeof installationResponse>;

export const userInstallationsResponse = z.object({
  total_count: z.number().int(),
  installations: z.array(installationResponse),
});

export const installationTokenResponse = z.object({
  token: z.string().min(1),
  expires_at: z.iso.datetime({ offset: true }),
});

export const repositoryResponse = z.object({
  id: z.number().int(),
  name: z.string(),
  full_name: z.string(),
  private: z.boolean(),
  default_branch: z.string().optional(),
  owner: z.object({ login: z.string() }),
});
export type RepositoryResponse = z.infer<typeof repositoryResponse>;

export const installationRepositoriesResponse = z.object({
  total_count: z.number().int(),
  repositories: z.array(repositoryResponse),
});

export const branchResponse = z.object({
  name: z.string(),
  commit: z.object({ sha: z.string() }),
  protected: z.boolean().optional(),
});
export const branchesResponse = z.array(branchResponse);

export const treeResponse = z.object({
  sha: z.string(),
  truncated: z.boolean(),
  tree: z.array(
    z.object({
      path: z.string(),
      type: z.string(),
      size: z.number().int().optional(),
    }),
  ),
});

/** POST /login/oauth/access_token answers 200 with either a token or an error. */
export const oauthTokenResponse = z.union([
  z.object({ access_token: z.string().min(1), token_type: z.string() }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);
