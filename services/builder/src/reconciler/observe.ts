// Reads the two sides the reconciler compares: what Postgres says should run, and what the engine
// reports for this instance.
import { type Database, schema } from '@cove/shared/db/client';
import { inProgressStatuses } from '@cove/shared/lifecycle/states';
import { eq, inArray } from 'drizzle-orm';
import { type ContainerRuntime, labelKeys } from '../runtime/types';
import type { DesiredApp, ObservedContainer, UnfinishedDeployment } from './decide';

const { apps, deployments } = schema;

export async function readDesiredApps(db: Database): Promise<DesiredApp[]> {
  const rows = await db
    .select({ app: apps, live: deployments })
    .from(apps)
    .leftJoin(deployments, eq(deployments.id, apps.liveDeploymentId));
  return rows.map(({ app, live }) => ({
    id: app.id,
    name: app.name,
    status: app.status,
    statusMessage: app.statusMessage,
    crashCount: app.crashCount,
    updatedAt: app.updatedAt,
    idle: { freezeAfterSeconds: app.freezeAfterSeconds, stopAfterSeconds: app.stopAfterSeconds },
    replicaCount: Math.max(1, app.minReplicas, Math.min(app.replicaCount, app.maxReplicas)),
    replicaSettings: {
      minReplicas: app.minReplicas,
      maxReplicas: app.maxReplicas,
      sessionsPerReplica: app.sessionsPerReplica,
      replicaCount: app.replicaCount,
    },
    live:
      live?.imageTag != null
        ? {
            deploymentId: live.id,
            imageTag: live.imageTag,
            containerId: live.containerId,
            hostPort: live.hostPort,
          }
        : null,
  }));
}

export async function readUnfinishedDeployments(db: Database): Promise<UnfinishedDeployment[]> {
  const rows = await db
    .select({
      id: deployments.id,
      appId: deployments.appId,
      status: deployments.status,
      heartbeatAt: deployments.heartbeatAt,
      interruptionCount: deployments.interruptionCount,
    })
    .from(deployments)
    .where(inArray(deployments.status, inProgressStatuses));
  return rows.flatMap((row) =>
    row.status === 'queued' || row.status === 'building' || row.status === 'deploying'
      ? [{ ...row, status: row.status }]
      : [],
  );
}

export async function observeContainers(
  runtime: ContainerRuntime,
  instance: string,
): Promise<ObservedContainer[]> {
  const containers = await runtime.list({ [labelKeys.instance]: instance });
  return containers.map((container) => ({
    id: container.id,
    appId: container.labels[labelKeys.appId] ?? null,
    deploymentId: container.labels[labelKeys.deploymentId] ?? null,
    state: container.state,
    exitCode: container.exitCode,
    isOomKilled: container.isOomKilled,
    memoryLimitMb: container.memoryLimitMb,
    endpoint: container.endpoint,
    node: container.node,
  }));
}
