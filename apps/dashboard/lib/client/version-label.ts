// How the pages name a deployment's version: its commit, or an uploaded folder's digest.
import type { DeploymentView } from '@cove/shared/contracts/api';

/** abc1234 for a commit, "folder 3f9c0a1b2c4d" for an uploaded folder, else `unresolved`. */
export function versionLabel(
  deployment: Pick<DeploymentView, 'commit' | 'uploadDigest'>,
  unresolved: string,
): string {
  if (deployment.commit) return deployment.commit.slice(0, 7);
  if (deployment.uploadDigest)
    return `folder ${deployment.uploadDigest.replace(/^sha256:/, '').slice(0, 12)}`;
  return unresolved;
}

/** The full commit sha or digest, for a tooltip. */
export function versionTitle(
  deployment: Pick<DeploymentView, 'commit' | 'uploadDigest'>,
): string | undefined {
  return deployment.commit ?? deployment.uploadDigest ?? undefined;
}
