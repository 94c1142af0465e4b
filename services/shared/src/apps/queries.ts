// Reading apps and deployments, always within one workspace.
import { and, asc, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppTransitionView, AppView, DeploymentView } from '../contracts/api';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { deployments, type LogStream } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { listAppHistory, toTransitionView } from '../lifecycle/history';
import { type LogLineMessage, readLogLines } from '../logs/deployment-logs';
import type { AppsDeps } from './deps';
import { type AppRow, type DeploymentRow, loadAppViews, toDeploymentView } from './views';

export function appNotFound(name: string): CoveError {
  return new CoveError('not_found', `There is no app named ${name} in this workspace.`);
}

/** The app row, or not_found: another workspace's app is indistinguishable from a missing one. */
export async function findApp(db: Database, workspaceId: string, name: string): Promise<AppRow> {
  const [app] = await db
    .select()
    .from(apps)
    .where(and(eq(apps.workspaceId, workspaceId), eq(apps.name, name)));
  if (!app) throw appNotFound(name);
  return app;
}

export async function listApps(deps: AppsDeps, workspaceId: string): Promise<AppView[]> {
  const rows = await deps.db
    .select()
    .from(apps)
    .where(eq(apps.workspaceId, workspaceId))
    .orderBy(asc(apps.name));
  return loadAppViews(deps, workspaceId, rows);
}

export async function getApp(deps: AppsDeps, workspaceId: string, name: string): Promise<AppView> {
  const app = await findApp(deps.db, workspaceId, name);
  const [view] = await loadAppViews(deps, workspaceId, [app]);
  if (!view) throw appNotFound(name);
  return view;
}

export async function listDeployments(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
  limit = 50,
): Promise<DeploymentView[]> {
  const app = await findApp(deps.db, workspaceId, name);
  const rows = await deps.db
    .select()
    .from(deployments)
    .where(and(eq(deployments.workspaceId, workspaceId), eq(deployments.appId, app.id)))
    .orderBy(desc(deployments.createdAt), desc(deployments.id))
    .limit(limit);
  return rows.map(toDeploymentView);
}

export async function findDeployment(
  db: Database,
  workspaceId: string,
  appName: string,
  deploymentId: string,
): Promise<DeploymentRow> {
  const app = await findApp(db, workspaceId, appName);
  const notFound = new CoveError('not_found', `The app ${appName} has no deployment ${deploymentId}.`);
  if (!z.uuid().safeParse(deploymentId).success) throw notFound;
  const [row] = await db
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.workspaceId, workspaceId),
        eq(deployments.appId, app.id),
        eq(deployments.id, deploymentId),
      ),
    );
  if (!row) throw notFound;
  return row;
}

export async function getDeployment(
  deps: AppsDeps,
  workspaceId: string,
  appName: string,
  deploymentId: string,
): Promise<DeploymentView> {
  return toDeploymentView(await findDeployment(deps.db, workspaceId, appName, deploymentId));
}

export async function readDeploymentLogs(
  deps: AppsDeps,
  workspaceId: string,
  appName: string,
  deploymentId: string,
  stream: LogStream,
): Promise<LogLineMessage[]> {
  const deployment = await findDeployment(deps.db, workspaceId, appName, deploymentId);
  return readLogLines(deps.db, deployment.id, stream);
}

/** The app's history (lifecycle/ records every status change), newest first. */
export async function getAppHistory(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
  limit = 100,
): Promise<AppTransitionView[]> {
  const app = await findApp(deps.db, workspaceId, name);
  const entries = await listAppHistory(deps.db, workspaceId, app.id, { limit });
  return entries.map(toTransitionView);
}
