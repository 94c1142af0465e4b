// A live version whose image is not on this host (a backup restored onto a new host, an image
// removed by hand) is built again from its commit or uploaded folder: a deployment of its own
// (trigger 'rebuild'), queued once. A build already under way is left to go live; a rebuild that
// did not go live is not tried again, so a version that cannot be built fails once, not every pass.
import { schema } from '@cove/shared/db/client';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { markCrashed } from '@cove/shared/lifecycle/app-status';
import { queueDeployment } from '@cove/shared/lifecycle/deployments';
import type { Actor } from '@cove/shared/lifecycle/record';
import { inProgressStatuses } from '@cove/shared/lifecycle/states';
import { shortDigest } from '@cove/shared/uploads/deploy';
import { and, desc, eq, gte, inArray, ne } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import type { AppRow, DeploymentRow } from './live-deployment';

const { deployments } = schema;

export type RebuildOutcome = 'queued' | 'under-way' | 'tried-before';

function sourceName(live: DeploymentRow): string {
  if (live.commitSha) return `commit ${live.commitSha.slice(0, 7)}`;
  if (live.uploadDigest) return `folder ${shortDigest(live.uploadDigest)}`;
  return 'its branch head';
}

export async function rebuildMissingImage(
  context: BuilderContext,
  app: AppRow,
  live: DeploymentRow,
  by: Actor,
): Promise<RebuildOutcome> {
  const { db, redis, config, logger } = context;
  const [underWay] = await db
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.appId, app.id), inArray(deployments.status, [...inProgressStatuses])))
    .limit(1);
  if (underWay) return 'under-way';
  const [tried] = await db
    .select({ id: deployments.id })
    .from(deployments)
    .where(
      and(
        eq(deployments.appId, app.id),
        eq(deployments.trigger, 'rebuild'),
        // Postgres keeps microseconds, a Date milliseconds: the live row itself would pass.
        ne(deployments.id, live.id),
        gte(deployments.createdAt, live.createdAt),
      ),
    )
    .orderBy(desc(deployments.createdAt))
    .limit(1);
  if (tried) return 'tried-before';

  const source = sourceName(live);
  const message = `The image of the live version (${source}) is not on this host: Cove builds it again and serves it once it is live.`;
  const deployment = await queueDeployment(
    db,
    {
      appId: app.id,
      workspaceId: app.workspaceId,
      trigger: 'rebuild',
      branch: live.branch,
      commitSha: live.commitSha,
      uploadDigest: live.uploadDigest,
      commitMessage: live.commitMessage,
      commitAuthor: live.commitAuthor,
      pythonVersion: live.pythonVersion,
    },
    { by, reason: message },
  );
  // Nothing serves meanwhile: the app says so (visitors read the first sentence) until it is live.
  await markCrashed(db, { appId: app.id, liveDeploymentId: live.id, message, by });
  const queues = openJobQueues(redis, config.COVE_INSTANCE);
  try {
    await queues.enqueueBuild({ deploymentId: deployment.id });
  } finally {
    await queues.close();
  }
  logger.warn(
    { appId: app.id, deploymentId: deployment.id, rebuiltFrom: live.id },
    "the live version's image is not on this host; building it again",
  );
  return 'queued';
}
