// Stands in for the builder where these tests need one: it writes what the builder records for a
// deployment (its status, its build log lines, a container once live; the app's status and live
// deployment) through the same tables and log functions, so the CLI follows them over the real API.
// The builder's own tests build and run real images; here the CLI's waiting and printing is tested.
import { schema } from '@cove/shared/db/client';
import { appendLogLines, endOfLogMessage, logChannel } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { and, desc, eq, ne } from 'drizzle-orm';

const { apps, deployments } = schema;

/** The newest deployment of the app that is not one of `seen`, once the API has queued it. */
export async function nextQueuedDeployment(context: TestContext, appId: string, seen: Set<string>) {
  return waitFor(
    async () => {
      const rows = await context.db
        .select()
        .from(deployments)
        .where(and(eq(deployments.appId, appId), eq(deployments.status, 'queued')))
        .orderBy(desc(deployments.createdAt));
      return rows.find((row) => !seen.has(row.id));
    },
    { timeoutMs: 30_000, description: 'a deployment queued by the CLI' },
  );
}

export type BuildOutcome = { isSuccess: true; commit: string } | { isSuccess: false; errorMessage: string };

export async function playBuild(
  context: TestContext,
  deployment: { id: string; appId: string },
  lines: string[],
  outcome: BuildOutcome,
): Promise<void> {
  await context.db
    .update(deployments)
    .set({ status: 'building', startedAt: new Date() })
    .where(eq(deployments.id, deployment.id));
  await context.db.update(apps).set({ status: 'building' }).where(eq(apps.id, deployment.appId));
  for (const line of lines)
    await appendLogLines(context.db, context.redis, context.instance, deployment.id, 'build', [line]);
  if (outcome.isSuccess) {
    await makeLive(context, deployment, outcome.commit);
  } else {
    await context.db
      .update(deployments)
      .set({ status: 'failed', errorMessage: outcome.errorMessage, finishedAt: new Date() })
      .where(eq(deployments.id, deployment.id));
    await context.db
      .update(apps)
      .set({ status: 'failed', statusMessage: outcome.errorMessage })
      .where(eq(apps.id, deployment.appId));
  }
  await context.redis.publish(logChannel(context.instance, deployment.id), endOfLogMessage);
}

/** Live: the deployment runs in a (recorded) container, the one before is superseded. */
export async function makeLive(
  context: TestContext,
  deployment: { id: string; appId: string },
  commit: string,
): Promise<void> {
  await context.db
    .update(deployments)
    .set({ status: 'superseded' })
    .where(
      and(
        eq(deployments.appId, deployment.appId),
        eq(deployments.status, 'running'),
        ne(deployments.id, deployment.id),
      ),
    );
  await context.db
    .update(deployments)
    .set({
      status: 'running',
      commitSha: commit,
      imageTag: `cove-${context.instance}/${deployment.appId}:${commit}`,
      imageId: `sha256:${commit.padEnd(64, '0')}`,
      containerId: `container-${deployment.id}`,
      finishedAt: new Date(),
    })
    .where(eq(deployments.id, deployment.id));
  await context.db
    .update(apps)
    .set({ status: 'running', statusMessage: null, liveDeploymentId: deployment.id })
    .where(eq(apps.id, deployment.appId));
}

export async function setAppStatus(
  context: TestContext,
  appId: string,
  status: 'sleeping' | 'waking' | 'running',
): Promise<void> {
  await context.db.update(apps).set({ status }).where(eq(apps.id, appId));
}
