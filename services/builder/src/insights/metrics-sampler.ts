// One sample of CPU and memory per awake instance of every app, from the engine's one-shot stats,
// written to Postgres for the app page's chart. Instances of deployments that do not serve (a
// build's install step, a swap's new instance still starting) are left out.
import { schema } from '@cove/shared/db/client';
import { type MetricSampleRow, recordMetricSamples } from '@cove/shared/insights/metrics-store';
import { and, eq, inArray } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';

const { deployments } = schema;

/** Samples every running instance once; returns how many samples were written. */
export async function sampleAppMetrics(context: BuilderContext, now = new Date()): Promise<number> {
  const { db, runtime, config, logger } = context;
  const containers = (await runtime.list({ [labelKeys.instance]: config.COVE_INSTANCE })).filter(
    (container) => container.state === 'running',
  );
  const deploymentIds = [
    ...new Set(containers.flatMap((container) => container.labels[labelKeys.deploymentId] ?? [])),
  ];
  if (deploymentIds.length === 0) return 0;
  const serving = await db
    .select({ id: deployments.id, appId: deployments.appId, workspaceId: deployments.workspaceId })
    .from(deployments)
    .where(and(inArray(deployments.id, deploymentIds), eq(deployments.status, 'running')));
  const deploymentOf = new Map(serving.map((deployment) => [deployment.id, deployment]));
  const sampled = await Promise.all(
    containers.map(async (container): Promise<MetricSampleRow | null> => {
      const deployment = deploymentOf.get(container.labels[labelKeys.deploymentId] ?? '');
      if (!deployment || container.labels[labelKeys.appId] !== deployment.appId) return null;
      const stats = await runtime.stats(container.id).catch((error: unknown) => {
        logger.warn({ err: error, containerId: container.id }, 'could not read the stats of an instance');
        return null;
      });
      if (!stats) return null;
      return {
        appId: deployment.appId,
        workspaceId: deployment.workspaceId,
        deploymentId: deployment.id,
        at: now,
        cpuCores: stats.cpuCores,
        memoryBytes: stats.memoryBytes,
        memoryLimitBytes: stats.memoryLimitBytes,
      };
    }),
  );
  const samples = sampled.filter((sample) => sample !== null);
  await recordMetricSamples(db, samples);
  return samples.length;
}
