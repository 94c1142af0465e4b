// A forge's push webhook (GitHub's, GitLab's or Gitea's: webhooks/forges.ts tells them apart) becomes
// a queued deployment of that commit. Nothing changes unless the secret (a signature over the raw
// body, or GitLab's token) is right, the delivery is new, the push is for the app's branch and
// names a commit no earlier push deployed, and an app that is not running may start within the
// workspace's running-apps limit.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { webhookAcceptedResponse } from '../contracts/api';
import { isUniqueViolation } from '../db/errors';
import { apps, webhookDeliveries } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { queueDeployment } from '../lifecycle/deployments';
import { webhook } from '../lifecycle/record';
import {
  detectForge,
  forgeDeliveryId,
  forgeEvent,
  invalidSecretMessage,
  isPullRequestEvent,
  parseForgePush,
  verifyForgeDelivery,
} from '../webhooks/forges';
import type { PushEvent } from '../webhooks/github';
import { runningLimitMessage, runningStatuses } from '../workspaces/limits';
import { readWebhookSecret } from './create';
import type { AppsDeps } from './deps';
import { handlePullRequestDelivery } from './previews';
import type { AppRow } from './views';

export interface WebhookResult {
  /** 200 for a ping, 202 for a push (deployed or ignored). */
  status: 200 | 202;
  body: z.infer<typeof webhookAcceptedResponse>;
}

export const deliveryId = z.string().trim().min(1).max(200);

function formatAuthor(author: { name: string; email?: string } | null): string | null {
  if (!author) return null;
  return author.email ? `${author.name} <${author.email}>` : author.name;
}

type Transaction = Parameters<Parameters<AppsDeps['db']['transaction']>[0]>[0];

function wouldDeploy(app: Pick<AppRow, 'branch'>, push: PushEvent): boolean {
  return push.branch === app.branch && !push.isBranchDeletion;
}

/**
 * Why this push may not deploy the app, or null. A push to an app that runs (or is starting) is a
 * redeploy and always may; one that would start a stopped or sleeping app counts against the
 * workspace's running-apps limit.
 */
export async function pushRefusal(
  deps: Pick<AppsDeps, 'db' | 'config'>,
  app: Pick<AppRow, 'id' | 'name' | 'workspaceId' | 'branch' | 'status'>,
  push: PushEvent,
): Promise<string | null> {
  if (!wouldDeploy(app, push) || runningStatuses.includes(app.status)) return null;
  return runningLimitMessage(deps, app.workspaceId, app.id, `start ${app.name} for this push`);
}

/**
 * A push for the app: a queued deployment row of that commit when it is for the app's branch, or
 * the reason it is ignored. The caller records the delivery in the same transaction and then
 * queues the build of the returned deployment.
 */
export async function queuePushDeployment(
  tx: Transaction,
  app: Pick<AppRow, 'id' | 'workspaceId' | 'branch'>,
  push: PushEvent,
): Promise<WebhookResult> {
  if (push.branch !== app.branch) {
    return { status: 202, body: { deploymentId: null, message: `ignored: this app deploys ${app.branch}` } };
  }
  if (push.isBranchDeletion) {
    return {
      status: 202,
      body: { deploymentId: null, message: `ignored: ${app.branch} was deleted; the running version stays` },
    };
  }
  // X-GitHub-Delivery is not signed: a captured push sent again under a new id would pass the
  // delivery check and put its (perhaps old, vulnerable) commit back. A real push names a commit
  // the app has not deployed from a push before; putting one back is Redeploy's or Make live's job.
  // The app row is locked so that two copies sent at once cannot both pass ("no key update": the
  // delivery row's foreign key already holds a key-share lock on it, which this must not wait on).
  await tx.select({ id: apps.id }).from(apps).where(eq(apps.id, app.id)).for('no key update');
  const [earlier] = await tx
    .select({ id: deployments.id })
    .from(deployments)
    .where(
      and(
        eq(deployments.appId, app.id),
        eq(deployments.trigger, 'push'),
        eq(deployments.commitSha, push.commitSha),
      ),
    )
    .limit(1);
  if (earlier) {
    return {
      status: 202,
      body: {
        deploymentId: null,
        message: `ignored: a push of ${push.commitSha.slice(0, 7)} was deployed before (a replayed delivery?); Redeploy or Make live puts a version back by hand`,
      },
    };
  }
  const deployment = await queueDeployment(
    tx,
    {
      appId: app.id,
      workspaceId: app.workspaceId,
      trigger: 'push',
      branch: push.branch,
      commitSha: push.commitSha,
      commitMessage: push.message,
      commitAuthor: formatAuthor(push.author),
    },
    { by: webhook, reason: `A push of ${push.commitSha.slice(0, 7)} to ${push.branch}.` },
  );
  return {
    status: 202,
    body: { deploymentId: deployment.id, message: `queued: ${push.commitSha.slice(0, 7)} of ${app.branch}` },
  };
}

/**
 * limitSigned: called once the signature is checked (the caller's per-app rate limit; it throws to
 * refuse the delivery), so deliveries nobody signed cannot use up the app's share.
 */
export async function handlePushWebhook(
  deps: AppsDeps,
  appName: string,
  headers: Headers,
  rawBody: Buffer,
  limitSigned?: () => Promise<void>,
): Promise<WebhookResult> {
  // Webhooks are public: the app is looked up by its (installation-wide unique) name.
  const [app] = await deps.db.select().from(apps).where(eq(apps.name, appName));
  if (!app) throw new CoveError('not_found', `There is no app named ${appName}.`);

  const forge = detectForge(headers);
  if (!verifyForgeDelivery(forge, readWebhookSecret(deps, app), rawBody, headers)) {
    throw new CoveError('invalid_signature', invalidSecretMessage(forge));
  }
  if (limitSigned) await limitSigned();
  const event = forgeEvent(forge, headers);
  if (event === 'ping') return { status: 200, body: { deploymentId: null, message: 'pong' } };
  const isPullRequest = isPullRequestEvent(forge, event);
  if (event !== 'push' && !isPullRequest) {
    return {
      status: 202,
      body: { deploymentId: null, message: `ignored: Cove acts on push events, not ${event}` },
    };
  }
  const delivery = forgeDeliveryId(forge, headers);
  if (delivery === null) {
    throw new CoveError(
      'invalid_input',
      forge === 'gitlab'
        ? 'The X-Gitlab-Event-UUID header (or Idempotency-Key) is missing; send the push as GitLab delivers it.'
        : `The ${forge === 'gitea' ? 'X-Gitea-Delivery' : 'X-GitHub-Delivery'} header is missing; send a unique id per delivery.`,
    );
  }
  if (app.source === 'upload') {
    return {
      status: 202,
      body: { deploymentId: null, message: 'ignored: this app deploys uploaded folders, not pushes' },
    };
  }
  if (isPullRequest) {
    return handlePullRequestDelivery(deps, app, forge, delivery, rawBody, headers.get(delivery.header));
  }
  const push = parseForgePush(forge, rawBody);
  const refusal = await pushRefusal(deps, app, push);
  if (refusal !== null) throw new CoveError('limit_reached', refusal);

  let result: WebhookResult;
  try {
    result = await deps.db.transaction(async (tx): Promise<WebhookResult> => {
      await tx.insert(webhookDeliveries).values({ deliveryId: delivery.id, appId: app.id });
      return queuePushDeployment(tx, app, push);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new CoveError(
        'replayed_delivery',
        `Delivery ${headers.get(delivery.header)} was already received; it is not replayed.`,
      );
    }
    throw error;
  }
  // The row is the truth and is committed first; the job only carries its id.
  if (result.body.deploymentId) await deps.queues.enqueueBuild({ deploymentId: result.body.deploymentId });
  return result;
}
