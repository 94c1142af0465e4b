// Database rows -> the API's views (contracts/api.ts).

import { createHash } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { appLimitBounds, appLimits } from '../config/app-limits';
import { appUrl, type CommonConfig } from '../config/schemas';
import type { AppView, DeploymentView } from '../contracts/api';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { type RouteEntry, readRoutes } from '../routing/route-table';
import { readLastActivities } from '../sleep/activity';

export type AppRow = typeof apps.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;

/** Went live at some point: only activation records a container on a deployment's row. */
export function hasServed(row: Pick<DeploymentRow, 'status' | 'imageTag' | 'containerId'>): boolean {
  return (
    (row.status === 'running' || row.status === 'superseded') &&
    row.imageTag !== null &&
    row.containerId !== null
  );
}

export function toDeploymentView(row: DeploymentRow): DeploymentView {
  return {
    id: row.id,
    status: row.status,
    trigger: row.trigger,
    branch: row.branch,
    commit: row.commitSha,
    uploadDigest: row.uploadDigest,
    commitMessage: row.commitMessage,
    commitAuthor: row.commitAuthor,
    errorMessage: row.errorMessage,
    image: row.imageTag,
    pythonVersion: row.pythonVersion,
    hasServed: hasServed(row),
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** What an app's view says of previews: its own open ones, or the app it previews. */
export interface PreviewRelations {
  previews: Pick<AppRow, 'name' | 'previewNumber' | 'status'>[];
  parentName: string | null;
}

const noPreviews: PreviewRelations = { previews: [], parentName: null };

/** A name for the container serving the live version that says nothing of the engine's ids. */
function liveInstanceOf(current: DeploymentRow | null): string | null {
  if (current?.containerId == null) return null;
  return createHash('sha256').update(current.containerId).digest('hex').slice(0, 12);
}

export function toAppView(
  config: CommonConfig,
  app: AppRow,
  current: DeploymentRow | null,
  latest: DeploymentRow | null,
  lastVisitAt: Date | null,
  route: RouteEntry | null = null,
  relations: PreviewRelations = noPreviews,
): AppView {
  return {
    id: app.id,
    name: app.name,
    url: appUrl(config, app.name),
    source: app.source,
    repoUrl: app.repoUrl,
    branch: app.branch,
    mainFile: app.mainFile,
    status: app.status,
    statusMessage: app.statusMessage,
    currentDeployment: current ? toDeploymentView(current) : null,
    latestDeployment: latest ? toDeploymentView(latest) : null,
    pythonVersion: app.pythonVersion,
    liveInstance: liveInstanceOf(current),
    offeredPythonVersions: config.COVE_RUNTIME_IMAGES.map((entry) => entry.pythonVersion),
    resources: appResources(config, app),
    scaling: {
      minReplicas: app.minReplicas,
      maxReplicas: app.maxReplicas,
      sessionsPerReplica: app.sessionsPerReplica,
    },
    // What the proxy sends viewers to: the route lists every live replica of a running app.
    replicas:
      app.status === 'running' && route?.appId === app.id
        ? (route.replicas ?? []).map((replica) => ({ node: replica.node, status: 'running' as const }))
        : [],
    idle: {
      freezeAfterSeconds: app.freezeAfterSeconds,
      stopAfterSeconds: app.stopAfterSeconds,
      platformFreezeAfterSeconds: config.COVE_FREEZE_AFTER_SECONDS,
      platformStopAfterSeconds: config.COVE_STOP_AFTER_SECONDS,
    },
    lastVisitAt: lastVisitAt?.toISOString() ?? null,
    visibility: app.visibility,
    githubRepository: app.githubRepoFullName,
    previews: {
      isEnabled: app.previewsEnabled,
      hasSecrets: app.previewSecrets,
      limit: config.COVE_PREVIEWS_PER_APP,
      open: relations.previews.map((preview) => ({
        number: preview.previewNumber ?? 0,
        name: preview.name,
        url: appUrl(config, preview.name),
        status: preview.status,
      })),
    },
    previewOf:
      relations.parentName !== null && app.previewNumber !== null
        ? { app: relations.parentName, number: app.previewNumber }
        : null,
    createdAt: app.createdAt.toISOString(),
  };
}

/** The app's container limits (its own, else the platform's defaults) and the most it may ask for. */
export function appResources(
  config: CommonConfig,
  app: Pick<AppRow, 'memoryMb' | 'cpus'>,
): AppView['resources'] {
  return { ...appLimits(config, app), ...appLimitBounds(config) };
}

/** Views of several apps of one workspace with two queries, whatever their number. */
export async function loadAppViews(
  { db, redis, config }: { db: Database; redis: Redis; config: CommonConfig },
  workspaceId: string,
  appRows: AppRow[],
): Promise<AppView[]> {
  if (appRows.length === 0) return [];
  const appIds = appRows.map((app) => app.id);
  const liveIds = appRows.flatMap((app) => (app.liveDeploymentId ? [app.liveDeploymentId] : []));
  const parentIds = appRows.flatMap((app) => (app.previewOfAppId ? [app.previewOfAppId] : []));
  const [latestRows, liveRows, lastVisits, previewRows, parentRows] = await Promise.all([
    db
      .selectDistinctOn([deployments.appId])
      .from(deployments)
      .where(and(eq(deployments.workspaceId, workspaceId), inArray(deployments.appId, appIds)))
      .orderBy(deployments.appId, desc(deployments.createdAt), desc(deployments.id)),
    liveIds.length === 0
      ? Promise.resolve([])
      : db
          .select()
          .from(deployments)
          .where(and(eq(deployments.workspaceId, workspaceId), inArray(deployments.id, liveIds))),
    readLastActivities(redis, config.COVE_INSTANCE, appIds),
    db
      .select({
        name: apps.name,
        previewNumber: apps.previewNumber,
        status: apps.status,
        previewOfAppId: apps.previewOfAppId,
      })
      .from(apps)
      .where(and(eq(apps.workspaceId, workspaceId), inArray(apps.previewOfAppId, appIds)))
      .orderBy(desc(apps.createdAt)),
    parentIds.length === 0
      ? Promise.resolve([])
      : db
          .select({ id: apps.id, name: apps.name })
          .from(apps)
          .where(and(eq(apps.workspaceId, workspaceId), inArray(apps.id, parentIds))),
  ]);
  const routes = await readRoutes(
    redis,
    config.COVE_INSTANCE,
    appRows.map((app) => app.name),
  );
  const parentNames = new Map(parentRows.map((row) => [row.id, row.name]));
  const latestByApp = new Map(latestRows.map((row) => [row.appId, row]));
  const liveById = new Map(liveRows.map((row) => [row.id, row]));
  return appRows.map((app) =>
    toAppView(
      config,
      app,
      (app.liveDeploymentId && liveById.get(app.liveDeploymentId)) || null,
      latestByApp.get(app.id) ?? null,
      lastVisits.get(app.id) ?? null,
      routes.get(app.name) ?? null,
      {
        previews: previewRows.filter((row) => row.previewOfAppId === app.id),
        parentName: app.previewOfAppId ? (parentNames.get(app.previewOfAppId) ?? null) : null,
      },
    ),
  );
}
