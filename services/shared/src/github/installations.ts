// A workspace's GitHub App installations: the link made after GitHub's setup redirect, the list,
// and which installation reads a given repository. Every query takes the workspace.
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Principal } from '../auth/accounts';
import { masterKeyRing } from '../config/schemas';
import type { GitHubInstallationsResponse } from '../contracts/github';
import { gitHubSetupQuery } from '../contracts/github';
import { parseInput } from '../contracts/validation';
import { apps, githubInstallations } from '../db/schema/apps';
import { CoveError } from '../errors';
import { gitHubClientFor } from './client';
import { signConnectState, verifyConnectState } from './connect-state';
import type { GitHubDeps } from './deps';
import { gitHubAppSettings, requireGitHubApp } from './settings';
import { checkPersonManagesInstallation } from './user-authorization';

export type InstallationRow = typeof githubInstallations.$inferSelect;

/** GitHub's page that installs the App on an account, carrying a signed state for the way back. */
export function installUrl(deps: GitHubDeps, principal: Principal): string {
  const settings = requireGitHubApp(deps.config);
  const state = signConnectState(deps.config.COVE_MASTER_KEY, principal);
  return `${settings.webUrl}/apps/${encodeURIComponent(settings.slug)}/installations/new?state=${encodeURIComponent(state)}`;
}

export async function listInstallations(deps: GitHubDeps, workspaceId: string): Promise<InstallationRow[]> {
  return deps.db
    .select()
    .from(githubInstallations)
    .where(eq(githubInstallations.workspaceId, workspaceId))
    .orderBy(githubInstallations.createdAt);
}

export async function describeGitHub(
  deps: GitHubDeps,
  workspaceId: string,
): Promise<GitHubInstallationsResponse> {
  if (gitHubAppSettings(deps.config) === null)
    return { isConfigured: false, connectUrl: null, installations: [] };
  const rows = await listInstallations(deps, workspaceId);
  return {
    isConfigured: true,
    connectUrl: '/api/v1/github/connect',
    installations: rows.map((row) => ({
      installationId: row.installationId,
      accountLogin: row.accountLogin,
      accountType: row.accountType,
      createdAt: row.createdAt.toISOString(),
    })),
  };
}

/**
 * GitHub's setup redirect: the state must be this caller's, the installation must exist for the App,
 * and it may belong to one workspace only. Linking it again to the same workspace is harmless.
 */
export async function linkInstallation(
  deps: GitHubDeps,
  principal: Principal,
  query: unknown,
): Promise<InstallationRow> {
  const setup = parseInput(gitHubSetupQuery, query);
  verifyConnectState(masterKeyRing(deps.config), setup.state, principal);
  const settings = requireGitHubApp(deps.config);
  await checkPersonManagesInstallation(settings, setup.code, setup.installation_id);
  const client = gitHubClientFor(settings);
  const installation = await client.getInstallation(setup.installation_id);
  const account = installation.account;
  if (!account) throw new CoveError('invalid_input', 'GitHub says this installation has no account.');
  const [linked] = await deps.db
    .insert(githubInstallations)
    .values({
      installationId: installation.id,
      workspaceId: principal.workspaceId,
      accountLogin: account.login,
      accountType: account.type ?? installation.target_type,
      connectedBy: principal.userId,
    })
    .onConflictDoUpdate({
      target: githubInstallations.installationId,
      set: { accountLogin: account.login, accountType: account.type ?? installation.target_type },
      // Only a row of the same workspace is refreshed; another workspace's row stays untouched.
      setWhere: eq(githubInstallations.workspaceId, principal.workspaceId),
    })
    .returning();
  if (!linked) {
    throw new CoveError(
      'conflict',
      `The GitHub account ${account.login} is already connected to another Cove workspace. Disconnect it there first, or ask its owners to invite you.`,
    );
  }
  // After an uninstall and a new install, the workspace's apps of that account follow the new one.
  await deps.db
    .update(apps)
    .set({ githubInstallationId: linked.installationId, updatedAt: new Date() })
    .where(
      and(
        eq(apps.workspaceId, principal.workspaceId),
        isNotNull(apps.githubInstallationId),
        sql`lower(split_part(${apps.githubRepoFullName}, '/', 1)) = ${account.login.toLowerCase()}`,
      ),
    );
  return linked;
}

/** GitHub says the installation is gone (uninstalled): forget it; its apps keep their last clone URL. */
export async function unlinkInstallation(deps: GitHubDeps, installationId: number): Promise<boolean> {
  const removed = await deps.db
    .delete(githubInstallations)
    .where(eq(githubInstallations.installationId, installationId))
    .returning({ installationId: githubInstallations.installationId });
  return removed.length > 0;
}

/** The workspace's installation on the repository's owner account, or a clear not-found. */
export async function installationForRepository(
  deps: GitHubDeps,
  workspaceId: string,
  fullName: string,
): Promise<InstallationRow> {
  const owner = fullName.split('/')[0] ?? '';
  const [row] = await deps.db
    .select()
    .from(githubInstallations)
    .where(
      and(
        eq(githubInstallations.workspaceId, workspaceId),
        sql`lower(${githubInstallations.accountLogin}) = ${owner.toLowerCase()}`,
      ),
    );
  if (!row) {
    throw new CoveError(
      'not_found',
      `This workspace has not connected GitHub for ${owner}. Use "Connect GitHub" and install the App on that account.`,
      { fields: { githubRepository: `Connect GitHub for ${owner} first.` } },
    );
  }
  return row;
}
