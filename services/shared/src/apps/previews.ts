// Pull request previews: an app with previews on gets, for each open pull (merge) request to its
// branch, an app of its own named <app>--pr-<number>, built from the request's head commit. It is an
// app like any other (it sleeps when idle, it is routed, it is listed on its app's page), with the
// app's settings, no secrets unless the app allows them (a pull request's code can read them), and
// it goes when the request is closed or merged. An app keeps at most COVE_PREVIEWS_PER_APP of them:
// a new one past that removes the oldest.
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { generateToken } from '../auth/tokens';
import { masterKeyRing } from '../config/schemas';
import { isUniqueViolation } from '../db/errors';
import { apps, webhookDeliveries } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { checkGitUrl } from '../git/url-policy';
import { queueDeployment, recordAppCreated } from '../lifecycle/deployments';
import { webhook } from '../lifecycle/record';
import { readAppSecrets, storeAppSecrets } from '../secrets/app-secrets';
import { encryptValue } from '../secrets/crypto';
import { type Forge, forgeNames, type PullRequestEvent, parseForgePullRequest } from '../webhooks/forges';
import { checkCanCreateApp } from '../workspaces/limits';
import { webhookSecretPurpose } from './create';
import type { AppsDeps } from './deps';
import { deleteApp } from './operations';
import type { WebhookResult } from './push-webhook';
import type { AppRow } from './views';

/** The longest DNS label, and so the longest name a preview can be reached at. */
const maxLabelLength = 63;

export function previewName(appName: string, number: number): string {
  return `${appName}--pr-${number}`;
}

const ignored = (message: string): WebhookResult => ({
  status: 202,
  body: { deploymentId: null, message: `ignored: ${message}` },
});

async function findPreview(deps: AppsDeps, app: AppRow, number: number): Promise<AppRow | undefined> {
  const [preview] = await deps.db
    .select()
    .from(apps)
    .where(
      and(
        eq(apps.workspaceId, app.workspaceId),
        eq(apps.previewOfAppId, app.id),
        eq(apps.previewNumber, number),
      ),
    );
  return preview;
}

/** Removes the oldest previews until there is room for one more. */
async function makeRoom(deps: AppsDeps, app: AppRow): Promise<string[]> {
  const previews = await deps.db
    .select({ name: apps.name })
    .from(apps)
    .where(and(eq(apps.workspaceId, app.workspaceId), eq(apps.previewOfAppId, app.id)))
    .orderBy(asc(apps.createdAt));
  const excess = previews.slice(0, Math.max(0, previews.length - deps.config.COVE_PREVIEWS_PER_APP + 1));
  for (const preview of excess) await deleteApp(deps, app.workspaceId, preview.name);
  return excess.map((preview) => preview.name);
}

/** Where the head is cloned from: the fork's repository when the forge names one the policy allows. */
async function headRepository(deps: AppsDeps, app: AppRow, request: PullRequestEvent): Promise<string> {
  if (request.headCloneUrl === null || request.headCloneUrl === app.repoUrl) return app.repoUrl;
  try {
    await checkGitUrl(request.headCloneUrl, {
      allowedSchemes: deps.config.COVE_GIT_ALLOWED_SCHEMES,
      allowPrivateAddresses: deps.config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES,
    });
  } catch (error) {
    if (error instanceof CoveError) {
      throw new CoveError('invalid_input', `The pull request's head repository is refused: ${error.message}`);
    }
    throw error;
  }
  return request.headCloneUrl;
}

async function createPreview(
  deps: AppsDeps,
  app: AppRow,
  request: PullRequestEvent,
  repoUrl: string,
): Promise<AppRow> {
  await checkCanCreateApp(deps, app.workspaceId);
  const id = randomUUID();
  const webhookSecretCiphertext = encryptValue(
    deps.config.COVE_MASTER_KEY,
    { workspaceId: app.workspaceId, appId: id, purpose: webhookSecretPurpose },
    generateToken(),
  );
  const preview = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apps)
      .values({
        id,
        workspaceId: app.workspaceId,
        name: previewName(app.name, request.number),
        repoUrl,
        branch: request.headBranch,
        mainFile: app.mainFile,
        pythonVersion: app.pythonVersion,
        memoryMb: app.memoryMb,
        cpus: app.cpus,
        freezeAfterSeconds: app.freezeAfterSeconds,
        stopAfterSeconds: app.stopAfterSeconds,
        visibility: app.visibility,
        webhookSecretCiphertext,
        previewOfAppId: app.id,
        previewNumber: request.number,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await recordAppCreated(
      tx,
      row,
      webhook,
      `The preview of pull request #${request.number} of ${app.name}.`,
    );
    // Only when the app allows it: the pull request's code runs with them.
    if (app.previewSecrets) {
      const secrets = await readAppSecrets(tx, masterKeyRing(deps.config), {
        workspaceId: app.workspaceId,
        appId: app.id,
      });
      if (secrets) {
        await storeAppSecrets(
          tx,
          deps.config.COVE_MASTER_KEY,
          { workspaceId: app.workspaceId, appId: id },
          secrets.toml,
          secrets.keyNames,
          null,
        );
      }
    }
    return row;
  });
  return preview;
}

async function deployPreview(
  deps: AppsDeps,
  app: AppRow,
  request: PullRequestEvent,
  forge: Forge,
): Promise<WebhookResult> {
  const name = previewName(app.name, request.number);
  if (name.length > maxLabelLength) {
    return ignored(
      `${name} is longer than an address label may be (63 characters); rename the app to preview it`,
    );
  }
  const repoUrl = await headRepository(deps, app, request);
  let preview = await findPreview(deps, app, request.number);
  let removed: string[] = [];
  if (!preview) {
    removed = await makeRoom(deps, app);
    try {
      preview = await createPreview(deps, app, request, repoUrl);
    } catch (error) {
      if (isUniqueViolation(error)) return ignored(`the name ${name} is another app's`);
      throw error;
    }
  } else {
    const [earlier] = await deps.db
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.appId, preview.id), eq(deployments.commitSha, request.headSha)))
      .limit(1);
    if (earlier)
      return ignored(`${request.headSha.slice(0, 7)} is already the preview's (a replayed delivery?)`);
    if (preview.repoUrl !== repoUrl || preview.branch !== request.headBranch) {
      await deps.db
        .update(apps)
        .set({ repoUrl, branch: request.headBranch, updatedAt: new Date() })
        .where(and(eq(apps.workspaceId, app.workspaceId), eq(apps.id, preview.id)));
    }
  }
  const deployment = await queueDeployment(
    deps.db,
    {
      appId: preview.id,
      workspaceId: app.workspaceId,
      trigger: 'push',
      branch: request.headBranch,
      commitSha: request.headSha,
      commitMessage: request.title,
      commitAuthor: request.author,
    },
    {
      by: webhook,
      reason: `${forgeNames[forge]} pull request #${request.number} (${request.action}) at ${request.headSha.slice(0, 7)}.`,
    },
  );
  await deps.queues.enqueueBuild({ deploymentId: deployment.id });
  const note =
    removed.length > 0
      ? `; removed the oldest preview${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`
      : '';
  return {
    status: 202,
    body: {
      deploymentId: deployment.id,
      message: `queued: preview ${preview.name} at ${request.headSha.slice(0, 7)}${note}`,
    },
  };
}

/**
 * A pull request event for the app, whose secret the caller checked: records the delivery (once
 * only), then deploys, updates or removes the preview.
 */
export async function handlePullRequestDelivery(
  deps: AppsDeps,
  app: AppRow,
  forge: Forge,
  delivery: { id: string; header: string },
  rawBody: Buffer,
  deliveryHeader: string | null,
): Promise<WebhookResult> {
  if (app.previewOfAppId !== null) return ignored('this app is itself a preview');
  if (!app.previewsEnabled) return ignored(`previews are off for ${app.name} (turn them on in its settings)`);
  const request = parseForgePullRequest(forge, rawBody);
  if (request.baseBranch !== app.branch)
    return ignored(`this app deploys ${app.branch}, not ${request.baseBranch}`);
  if (request.intent === 'ignore') return ignored(`nothing to do for a pull request ${request.action}`);
  try {
    await deps.db.insert(webhookDeliveries).values({ deliveryId: delivery.id, appId: app.id });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new CoveError(
        'replayed_delivery',
        `Delivery ${deliveryHeader} was already received; it is not replayed.`,
      );
    }
    throw error;
  }
  if (request.intent === 'remove') {
    const preview = await findPreview(deps, app, request.number);
    if (!preview) return ignored(`pull request #${request.number} has no preview`);
    await deleteApp(deps, app.workspaceId, preview.name);
    return { status: 202, body: { deploymentId: null, message: `removed: preview ${preview.name}` } };
  }
  return deployPreview(deps, app, request, forge);
}
