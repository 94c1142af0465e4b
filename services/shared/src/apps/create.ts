// Creating an app: validate, check the repository URL against the operator's policy, store the app
// with an encrypted webhook secret and its first deployment, then queue the build.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { recordAuditEntry } from '../audit/audit-log';
import type { Principal } from '../auth/accounts';
import { generateToken } from '../auth/tokens';
import { masterKeyRing } from '../config/schemas';
import { type CreateAppRequest, type CreateAppResponse, createAppRequest } from '../contracts/api';
import { parseInput } from '../contracts/validation';
import { isUniqueViolation } from '../db/errors';
import { apps } from '../db/schema/apps';
import type { deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { checkGitUrl } from '../git/url-policy';
import { resolveGitHubRepository } from '../github/new-app-source';
import { queueDeployment, recordAppCreated } from '../lifecycle/deployments';
import { user } from '../lifecycle/record';
import { routeNewApp } from '../lifecycle/routes';
import { decryptValue, encryptValue } from '../secrets/crypto';
import { checkCanCreateApp } from '../workspaces/limits';
import { type AppsDeps, webhookUrl } from './deps';
import { checkNameAvailable, nameTaken } from './names';
import { findApp } from './queries';
import { checkAppRepository } from './repository';
import { type AppRow, toAppView } from './views';

export const webhookSecretPurpose = 'webhook';

export function awaitingUploadMessage(name: string): string {
  return `Waiting for its first folder: cove deploy ./folder --name ${name}.`;
}

export function readWebhookSecret(deps: AppsDeps, app: AppRow): string {
  return decryptValue(
    masterKeyRing(deps.config),
    { workspaceId: app.workspaceId, appId: app.id, purpose: webhookSecretPurpose },
    app.webhookSecretCiphertext,
  );
}

/** Where the app's code comes from: any git URL the policy accepts, or a repository through GitHub. */
async function resolveRepository(
  deps: AppsDeps,
  workspaceId: string,
  request: CreateAppRequest,
): Promise<{ repoUrl: string; githubInstallationId: number | null; githubRepoFullName: string | null }> {
  if (request.source === 'upload') {
    if (request.repoUrl !== undefined || request.githubRepository !== undefined) {
      throw new CoveError('invalid_input', 'An app deployed from uploaded folders has no repository.', {
        fields: { repoUrl: "Leave this out for source 'upload', or choose source 'git'." },
      });
    }
    return { repoUrl: '', githubInstallationId: null, githubRepoFullName: null };
  }
  if (request.githubRepository !== undefined) {
    if (request.repoUrl !== undefined) {
      throw new CoveError('invalid_input', 'Give either a repository URL or a GitHub repository, not both.', {
        fields: { repoUrl: 'Leave this empty when you pick a GitHub repository.' },
      });
    }
    return resolveGitHubRepository(deps, workspaceId, request.githubRepository, request.branch);
  }
  if (request.repoUrl === undefined) {
    throw new CoveError('invalid_input', 'Give the URL of the git repository.', {
      fields: { repoUrl: 'Give the URL of the git repository.' },
    });
  }
  try {
    await checkGitUrl(request.repoUrl, {
      allowedSchemes: deps.config.COVE_GIT_ALLOWED_SCHEMES,
      allowPrivateAddresses: deps.config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES,
    });
  } catch (error) {
    if (error instanceof CoveError) {
      throw new CoveError(error.code, error.message, { fields: { repoUrl: error.message } });
    }
    throw error;
  }
  await checkAppRepository(deps, {
    repoUrl: request.repoUrl,
    branch: request.branch,
    mainFile: request.mainFile,
  });
  return { repoUrl: request.repoUrl, githubInstallationId: null, githubRepoFullName: null };
}

/** actorUserId: who asked (for the app's history; null for the platform itself). */
export async function createApp(
  deps: AppsDeps,
  workspaceId: string,
  input: unknown,
  actorUserId: string | null = null,
): Promise<CreateAppResponse> {
  const request = parseInput(createAppRequest, input);
  await checkCanCreateApp(deps, workspaceId);
  const source = await resolveRepository(deps, workspaceId, request);
  await checkNameAvailable(deps, request.name);

  const appId = randomUUID();
  const secret = generateToken();
  const webhookSecretCiphertext = encryptValue(
    deps.config.COVE_MASTER_KEY,
    { workspaceId, appId, purpose: webhookSecretPurpose },
    secret,
  );
  const isUpload = request.source === 'upload';
  let created: { app: AppRow; deployment: typeof deployments.$inferSelect | null };
  try {
    created = await deps.db.transaction(async (tx) => {
      const [app] = await tx
        .insert(apps)
        .values({
          id: appId,
          workspaceId,
          name: request.name,
          source: request.source,
          repoUrl: source.repoUrl,
          githubInstallationId: source.githubInstallationId,
          githubRepoFullName: source.githubRepoFullName,
          branch: isUpload ? '' : request.branch,
          mainFile: request.mainFile,
          webhookSecretCiphertext,
          ...(isUpload ? { statusMessage: awaitingUploadMessage(request.name) } : {}),
        })
        .returning();
      if (!app) throw new Error('insert returned no row');
      await recordAppCreated(
        tx,
        app,
        user(actorUserId),
        isUpload ? 'Created; it waits for its first uploaded folder.' : undefined,
      );
      // Nothing to build until a folder comes (POST /apps/{name}/uploads).
      if (isUpload) return { app, deployment: null };
      const deployment = await queueDeployment(
        tx,
        { appId, workspaceId, trigger: 'create', branch: request.branch },
        { by: user(actorUserId), reason: `The app was created; its first build of ${request.branch}.` },
      );
      return { app, deployment };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(request.name);
    throw error;
  }
  if (created.deployment) {
    await routeNewApp(deps, created.app);
    await deps.queues.enqueueBuild({ deploymentId: created.deployment.id });
  }
  return {
    ...toAppView(deps.config, created.app, null, created.deployment, null),
    webhook: { url: webhookUrl(deps.config, created.app.name), secret },
  };
}

export async function getAppWebhook(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
): Promise<{ url: string; secret: string }> {
  const app = await findApp(deps.db, workspaceId, name);
  return { url: webhookUrl(deps.config, app.name), secret: readWebhookSecret(deps, app) };
}

/** Replaces the webhook secret (after a leak); the old one stops working at once. */
export async function rotateWebhookSecret(
  deps: AppsDeps,
  principal: Pick<Principal, 'workspaceId' | 'userId'>,
  name: string,
): Promise<{ url: string; secret: string }> {
  const { workspaceId } = principal;
  const app = await findApp(deps.db, workspaceId, name);
  const secret = generateToken();
  const ciphertext = encryptValue(
    deps.config.COVE_MASTER_KEY,
    { workspaceId, appId: app.id, purpose: webhookSecretPurpose },
    secret,
  );
  await deps.db.transaction(async (tx) => {
    await tx
      .update(apps)
      .set({ webhookSecretCiphertext: ciphertext, updatedAt: new Date() })
      .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, app.id)));
    await recordAuditEntry(tx, {
      workspaceId,
      appId: app.id,
      appName: app.name,
      actorUserId: principal.userId,
      action: 'webhook.rotate',
      keyNames: [],
    });
  });
  return { url: webhookUrl(deps.config, app.name), secret };
}
