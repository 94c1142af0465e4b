// Where a build clones from. An app linked through the GitHub App clones from the configured
// GitHub with a short-lived installation token, sent by git as an HTTP header to that host only;
// any other app clones its own URL under the operator's URL policy, without credentials.
import type { BuilderConfig } from '@cove/shared/config/schemas';
import { CoveError } from '@cove/shared/errors';
import type { GitUrlPolicy } from '@cove/shared/git/url-policy';
import { gitHubClientFor } from '@cove/shared/github/client';
import { gitHubAppSettings, gitHubCloneUrl } from '@cove/shared/github/settings';
import { permanentFailure, transientFailure } from '../failure';
import type { CloneRequest } from './clone';
import type { App } from './deployment-state';

export type CloneSource = Pick<CloneRequest, 'repoUrl' | 'policy' | 'credentials'>;

function userUrlPolicy(config: BuilderConfig): GitUrlPolicy {
  return {
    allowedSchemes: config.COVE_GIT_ALLOWED_SCHEMES,
    allowPrivateAddresses: config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES,
  };
}

/** Git's Basic credential for an installation token, as GitHub documents it (x-access-token). */
export function installationTokenHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

export async function cloneSourceOf(
  config: BuilderConfig,
  app: Pick<App, 'repoUrl' | 'githubInstallationId' | 'githubRepoFullName'>,
): Promise<CloneSource> {
  if (app.githubInstallationId === null || app.githubRepoFullName === null) {
    return { repoUrl: app.repoUrl, policy: userUrlPolicy(config) };
  }
  const settings = gitHubAppSettings(config);
  if (settings === null) {
    throw permanentFailure(
      `This app deploys ${app.githubRepoFullName} through GitHub, but this Cove has no GitHub App configured any more. Ask the operator to configure it again.`,
    );
  }
  let token: string;
  try {
    token = (await gitHubClientFor(settings).installationToken(app.githubInstallationId)).token;
  } catch (error) {
    if (!(error instanceof CoveError)) throw error;
    if (error.code === 'not_found') {
      throw permanentFailure(
        `GitHub no longer lets Cove read ${app.githubRepoFullName}: the GitHub App was uninstalled or lost access. Connect GitHub again from the new-app page.`,
      );
    }
    throw transientFailure(error.message);
  }
  // The configured GitHub is the operator's choice, not the user's: the address policy for typed
  // URLs does not apply, and the token goes nowhere but there.
  const repoUrl = gitHubCloneUrl(settings, app.githubRepoFullName);
  return {
    repoUrl,
    policy: {
      allowedSchemes: [new URL(repoUrl).protocol === 'http:' ? 'http' : 'https'],
      allowPrivateAddresses: true,
    },
    credentials: { urlPrefix: `${settings.webUrl}/`, header: installationTokenHeader(token) },
  };
}
