// After a fault, once the platform has settled: nothing was lost or left behind. Postgres (what
// should be), Redis (queues, routes) and the engine (what runs) must agree: no deployment stuck
// mid-way, no build gone from the queue, one serving container per running app and it the recorded
// one, no container or network without an app, and every running app's route pointing at it.
import { connectDatabase, schema } from '@cove/shared/db/client';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import { readAllRoutes } from '@cove/shared/routing/route-table';
import { Queue } from 'bullmq';
import { inArray } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { buildNetworkName } from '../services/builder/src/builds/dependency-image';
import { appNetworkName } from '../services/builder/src/deploy/container';
import { createDockerRuntime } from '../services/builder/src/runtime/docker';
import { labelKeys } from '../services/builder/src/runtime/types';
import type { LocalPlatform } from './platform';

const unfinishedStatuses = ['queued', 'building', 'deploying'] as const;

export interface ConsistencyChecker {
  /** Every inconsistency found, in words; empty when all agree. */
  check(): Promise<string[]>;
  /** Deployments not yet finished (queued, building, deploying): the platform has not settled. */
  unfinishedDeployments(): Promise<number>;
  close(): Promise<void>;
}

export function openConsistencyChecker(platform: LocalPlatform): ConsistencyChecker {
  const database = connectDatabase(platform.databaseUrl, { maxConnections: 2 });
  const redis = new Redis(platform.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  const builds = new Queue(jobs.build.queue, { connection: redis, prefix: queuePrefix(platform.instance) });
  const docker = createDockerRuntime(process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock');
  const { apps, deployments } = schema;

  async function check(): Promise<string[]> {
    const problems: string[] = [];
    const appRows = await database.db.select().from(apps);
    const appsById = new Map(appRows.map((app) => [app.id, app]));
    const liveIds = appRows.flatMap((app) => (app.liveDeploymentId ? [app.liveDeploymentId] : []));
    const liveRows =
      liveIds.length === 0
        ? []
        : await database.db.select().from(deployments).where(inArray(deployments.id, liveIds));
    const liveById = new Map(liveRows.map((deployment) => [deployment.id, deployment]));

    const unfinished = await database.db
      .select()
      .from(deployments)
      .where(inArray(deployments.status, [...unfinishedStatuses]));
    for (const deployment of unfinished) {
      const appName = appsById.get(deployment.appId)?.name ?? deployment.appId;
      const job = await builds.getJob(jobs.build.jobId({ deploymentId: deployment.id }));
      problems.push(
        `deployment ${deployment.id} of ${appName} is stuck ${deployment.status}` +
          (job ? '' : ', and its build job is gone from the queue'),
      );
    }

    const containers = await docker.list({ [labelKeys.instance]: platform.instance });
    for (const app of appRows) {
      const live = app.liveDeploymentId ? liveById.get(app.liveDeploymentId) : undefined;
      if (app.status !== 'running') continue;
      const serving = containers.filter(
        (container) =>
          container.labels[labelKeys.deploymentId] === app.liveDeploymentId && container.state === 'running',
      );
      if (serving.length !== 1) {
        problems.push(`${app.name} is running with ${serving.length} serving containers (one expected)`);
      } else if (serving[0]?.id !== live?.containerId) {
        problems.push(`${app.name}'s serving container is not the one its deployment records`);
      }
    }
    for (const container of containers) {
      const app = appsById.get(container.labels[labelKeys.appId] ?? '');
      if (!app || container.labels[labelKeys.deploymentId] !== app.liveDeploymentId) {
        problems.push(`container ${container.name} (${container.state}) belongs to no live deployment`);
      }
    }

    const networkNames = new Set(appRows.map((app) => appNetworkName(platform.instance, app.id)));
    // The one network every build's installs share: the instance's, not an app's.
    networkNames.add(buildNetworkName(platform.instance));
    for (const network of await docker.listNetworks({ [labelKeys.instance]: platform.instance })) {
      if (!networkNames.has(network)) problems.push(`network ${network} belongs to no app`);
    }

    const routes = await readAllRoutes(redis, platform.instance);
    for (const app of appRows) {
      if (app.status !== 'running') continue;
      const route = routes.get(app.name);
      const live = app.liveDeploymentId ? liveById.get(app.liveDeploymentId) : undefined;
      if (route?.status !== 'running' || route.upstream?.port !== live?.hostPort) {
        problems.push(
          `${app.name}'s route in Redis (${JSON.stringify(route ?? null)}) is not its live container (port ${live?.hostPort})`,
        );
      }
    }
    const appNames = new Set(appRows.map((app) => app.name));
    for (const name of routes.keys()) {
      if (!appNames.has(name)) problems.push(`Redis routes ${name}, which is no app`);
    }
    return problems;
  }

  return {
    check,
    unfinishedDeployments: async () =>
      (
        await database.db
          .select({ id: deployments.id })
          .from(deployments)
          .where(inArray(deployments.status, [...unfinishedStatuses]))
      ).length,
    close: async () => {
      await builds.close();
      redis.disconnect();
      await database.close();
    },
  };
}
