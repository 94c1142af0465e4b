// The repository check an app's source must pass before Cove stores it: at creation, and when the
// settings change the repository URL, the branch or the main file (GitHub apps are read through
// the GitHub App instead, whose own checks apply).
import { checkRepository } from '../git/repository-check';
import type { AppsDeps } from './deps';

export async function checkAppRepository(
  deps: AppsDeps,
  source: { repoUrl: string; branch: string; mainFile: string },
): Promise<void> {
  if (!deps.config.COVE_GIT_CHECK_REPOSITORIES) return;
  await checkRepository({
    ...source,
    policy: {
      allowedSchemes: deps.config.COVE_GIT_ALLOWED_SCHEMES,
      allowPrivateAddresses: deps.config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES,
    },
    timeoutMs: deps.config.COVE_GIT_CHECK_TIMEOUT_SECONDS * 1000,
  });
}
