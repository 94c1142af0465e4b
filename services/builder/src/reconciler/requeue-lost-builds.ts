// A deployment waits as 'queued' for its build job; if Redis lost the job (restarted without its
// data, flushed), or the job's worker died (a build taken back after its builder stopped), nothing
// would build it soon, or ever. Deployments queued for longer than a build may go unheard of
// (COVE_BUILD_STALE_SECONDS) get their job again under its fixed id: a no-op while Redis holds one
// that will run, however long the queue, so only lost or dead jobs come back.
import { schema } from '@cove/shared/db/client';
import type { JobQueues } from '@cove/shared/jobs/queues';
import { and, eq, lt } from 'drizzle-orm';
import type { BuilderContext } from '../context';

const { deployments } = schema;

export async function requeueLostBuilds(context: BuilderContext, queues: JobQueues): Promise<string[]> {
  const { db, config, logger } = context;
  const queuedBefore = new Date(Date.now() - config.COVE_BUILD_STALE_SECONDS * 1000);
  const waiting = await db
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.status, 'queued'), lt(deployments.createdAt, queuedBefore)));
  const requeued: string[] = [];
  for (const { id } of waiting) {
    if (!(await queues.ensureBuildQueued({ deploymentId: id }))) continue;
    requeued.push(id);
    logger.warn(
      { deploymentId: id },
      'a queued deployment had no build job that would run (Redis lost it, or its worker died); queued it again',
    );
  }
  return requeued;
}
