// Who is connecting: GitHub's setup redirect carries an installation id anyone could type, so the
// App's "Request user authorization (OAuth) during installation" also sends a code. Exchanged for
// the person's token, it shows which installations they may manage; only those can be linked.
import { CoveError } from '../errors';
import { gitHubClientFor } from './client';
import { gitHubError } from './errors';
import { oauthTokenResponse } from './responses';
import type { GitHubAppSettings } from './settings';

async function exchangeCode(settings: GitHubAppSettings, code: string): Promise<string> {
  const oauth = settings.oauth;
  if (!oauth) {
    throw new CoveError(
      'github_unavailable',
      'Connecting GitHub needs the GitHub App\'s OAuth client: the operator sets COVE_GITHUB_CLIENT_ID and COVE_GITHUB_CLIENT_SECRET and turns on "Request user authorization (OAuth) during installation".',
    );
  }
  const what = 'a sign-in code for your GitHub account';
  let response: Response;
  try {
    response = await fetch(`${settings.webUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'cove' },
      body: JSON.stringify({ client_id: oauth.clientId, client_secret: oauth.clientSecret, code }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw gitHubError({ status: 503, headers: new Headers(), what, gitHubMessage: null });
  }
  if (!response.ok)
    throw gitHubError({ status: response.status, headers: response.headers, what, gitHubMessage: null });
  const parsed = oauthTokenResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw gitHubError({ status: 502, headers: new Headers(), what, gitHubMessage: null });
  if ('error' in parsed.data) {
    throw new CoveError(
      'forbidden',
      `GitHub did not confirm who you are (${parsed.data.error_description ?? parsed.data.error}). Start again from "Connect GitHub".`,
    );
  }
  return parsed.data.access_token;
}

/** Refuses unless the person who came back from GitHub with `code` may manage the installation. */
export async function checkPersonManagesInstallation(
  settings: GitHubAppSettings,
  code: string | undefined,
  installationId: number,
): Promise<void> {
  if (!code) {
    throw new CoveError(
      'forbidden',
      'GitHub sent no authorization code, so Cove cannot tell the installation is yours. The operator should turn on "Request user authorization (OAuth) during installation" in the GitHub App.',
    );
  }
  const userToken = await exchangeCode(settings, code);
  const manageable = await gitHubClientFor(settings).listUserInstallationIds(userToken);
  if (!manageable.includes(installationId)) {
    throw new CoveError(
      'forbidden',
      `Your GitHub account cannot manage installation ${installationId} of the Cove GitHub App, so it is not connected. Install the App on an account you manage.`,
    );
  }
}
