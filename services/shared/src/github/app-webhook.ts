// The GitHub App's one webhook: a push redeploys every app linked to that repository through that
// installation and following the pushed branch; an uninstalled App unlinks its installation.
// Signed with COVE_GITHUB_WEBHOOK_SECRET; a replayed X-GitHub-Delivery is refused.
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppsDeps } from '../apps/deps';
import { deliveryId, pushRefusal, queuePushDeployment } from '../apps/push-webhook';
import type { GitHubWebhookResponse } from '../contracts/github';
import { isUniqueViolation } from '../db/errors';
import { apps, webhookDeliveries } from '../db/schema/apps';
import { CoveError } from '../errors';
import { parsePushEvent, verifyGitHubSignature } from '../webhooks/github';
import { unlinkInstallation } from './installations';
import { requireGitHubApp } from './settings';

export interface GitHubWebhookResult {
  status: 200 | 202;
  body: GitHubWebhookResponse;
}

const installationEvent = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
});
const pushTarget = z.object({
  installation: z.object({ id: z.number().int() }),
  repository: z.object({ full_name: z.string() }),
});

function ignored(message: string): GitHubWebhookResult {
  return { status: 202, body: { deploymentIds: [], message: `ignored: ${message}` } };
}

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new CoveError(
      'invalid_input',
      'The webhook body is not JSON; set the App webhook content type to application/json.',
    );
  }
}

/** The installation a signed delivery comes from, or null when it names none. */
function deliveryInstallationId(rawBody: Buffer): number | null {
  try {
    const parsed = z
      .object({ installation: z.object({ id: z.number().int() }) })
      .safeParse(JSON.parse(rawBody.toString('utf8')));
    return parsed.success ? parsed.data.installation.id : null;
  } catch {
    return null;
  }
}

/**
 * limitInstallation: called once the signature is checked, with the installation the delivery
 * comes from (the caller's rate limit; it throws to refuse the delivery).
 */
export async function handleGitHubAppWebhook(
  deps: AppsDeps,
  headers: Headers,
  rawBody: Buffer,
  limitInstallation?: (installationId: number) => Promise<void>,
): Promise<GitHubWebhookResult> {
  const settings = requireGitHubApp(deps.config);
  if (!verifyGitHubSignature(settings.webhookSecret, rawBody, headers.get('x-hub-signature-256'))) {
    throw new CoveError(
      'invalid_signature',
      "The X-Hub-Signature-256 header is missing or does not match the body. The GitHub App's webhook secret must be COVE_GITHUB_WEBHOOK_SECRET.",
    );
  }
  const installationId = deliveryInstallationId(rawBody);
  if (installationId !== null && limitInstallation) await limitInstallation(installationId);
  const event = headers.get('x-github-event');
  if (event === 'ping') return { status: 200, body: { deploymentIds: [], message: 'pong' } };
  if (event === 'installation') {
    const parsed = installationEvent.safeParse(parseJson(rawBody));
    if (!parsed.success) throw new CoveError('invalid_input', 'The body is not a GitHub installation event.');
    if (parsed.data.action !== 'deleted') return ignored(`installation ${parsed.data.action}`);
    const wasLinked = await unlinkInstallation(deps, parsed.data.installation.id);
    return {
      status: 202,
      body: {
        deploymentIds: [],
        message: wasLinked
          ? `installation ${parsed.data.installation.id} removed; its apps no longer deploy on push`
          : `ignored: installation ${parsed.data.installation.id} was not connected`,
      },
    };
  }
  if (event !== 'push') return ignored(`Cove acts on push events, not ${event ?? 'unnamed events'}`);
  const delivery = deliveryId.safeParse(headers.get('x-github-delivery'));
  if (!delivery.success) {
    throw new CoveError(
      'invalid_input',
      'The X-GitHub-Delivery header is missing; send a unique id per delivery.',
    );
  }
  const target = pushTarget.safeParse(parseJson(rawBody));
  if (!target.success)
    throw new CoveError('invalid_input', 'The push event names no installation or repository.');
  const push = parsePushEvent(rawBody);
  return deployLinkedApps(deps, delivery.data, target.data, push);
}

async function deployLinkedApps(
  deps: AppsDeps,
  delivery: string,
  target: z.infer<typeof pushTarget>,
  push: ReturnType<typeof parsePushEvent>,
): Promise<GitHubWebhookResult> {
  // Public endpoint, no workspace known yet: the apps are those the installation itself links.
  const linked = await deps.db
    .select()
    .from(apps)
    .where(
      and(
        eq(apps.githubInstallationId, target.installation.id),
        sql`lower(${apps.githubRepoFullName}) = ${target.repository.full_name.toLowerCase()}`,
      ),
    );
  if (linked.length === 0) return ignored(`no app deploys ${target.repository.full_name}`);
  // Apps the running-apps limit keeps from starting are left out (their delivery is not recorded,
  // so it can be redelivered later); when that leaves nothing to deploy, the push is refused.
  const refusals: string[] = [];
  const allowed: typeof linked = [];
  for (const app of linked) {
    const refusal = await pushRefusal(deps, app, push);
    if (refusal === null) allowed.push(app);
    else refusals.push(refusal);
  }
  if (allowed.length === 0) throw new CoveError('limit_reached', refusals.join(' '));
  let results: Awaited<ReturnType<typeof queuePushDeployment>>[];
  try {
    results = await deps.db.transaction(async (tx) => {
      const done = [];
      for (const app of allowed) {
        // One delivery reaches several apps; each records it, so a replay is refused as a whole.
        await tx.insert(webhookDeliveries).values({ deliveryId: `${delivery}/${app.id}`, appId: app.id });
        done.push(await queuePushDeployment(tx, app, push));
      }
      return done;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new CoveError(
        'replayed_delivery',
        `Delivery ${delivery} was already received; it is not replayed.`,
      );
    }
    throw error;
  }
  const deploymentIds = results.flatMap((result) =>
    result.body.deploymentId ? [result.body.deploymentId] : [],
  );
  for (const deploymentId of deploymentIds) await deps.queues.enqueueBuild({ deploymentId });
  if (deploymentIds.length === 0) {
    if (!allowed.some((app) => app.branch === push.branch))
      return ignored(`no app follows ${push.branch} of ${target.repository.full_name}`);
    // The apps follow the branch and still deploy nothing (a deleted branch, a commit pushed before).
    const reasons = new Set(results.map((result) => result.body.message.replace(/^ignored: /, '')));
    return ignored([...reasons].join('; '));
  }
  const queued = `queued: ${push.commitSha.slice(0, 7)} of ${push.branch} for ${deploymentIds.length} app(s)`;
  return {
    status: 202,
    body: { deploymentIds, message: refusals.length > 0 ? `${queued}. ${refusals.join(' ')}` : queued },
  };
}
