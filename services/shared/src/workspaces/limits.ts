// Workspace limits the operator sets: how many apps, how many running at once, and how much memory
// the awake apps may ask for together (a sleeping app holds none, so it does not count). The
// platform's defaults apply where the workspace has none of its own. Every check that refuses an
// action for a limit lives here.
import { and, count, eq, exists, inArray, ne, or, sql } from 'drizzle-orm';
import { appLimits } from '../config/app-limits';
import type { CommonConfig } from '../config/schemas';
import type { Database } from '../db/client';
import { type AppStatus, apps } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { workspaces } from '../db/schema/identity';
import { CoveError } from '../errors';

type LimitsConfig = Pick<
  CommonConfig,
  | 'COVE_WORKSPACE_MAX_APPS'
  | 'COVE_WORKSPACE_MAX_RUNNING_APPS'
  | 'COVE_WORKSPACE_MAX_MEMORY_MB'
  | 'COVE_APP_MEMORY_MB'
  | 'COVE_APP_CPUS'
>;

/** A transaction of the platform's database (the running-slot claim runs in one). */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface LimitsDeps {
  /** Reads only: the database, or a transaction holding the workspace's running-slot lock. */
  db: Pick<Database, 'select'>;
  config: LimitsConfig;
}

export interface WorkspaceLimits {
  maxApps: number;
  maxRunningApps: number;
  maxMemoryMb: number;
}

export interface WorkspaceUsage {
  apps: number;
  runningApps: number;
  /**
   * The memory limits of the awake apps' replicas added up (an app without its own counts the
   * platform's default, once per replica): the memory the workspace holds now. Sleeping, stopped
   * and failed apps hold none.
   */
  memoryMb: number;
}

/**
 * An app in one of these holds (or is about to hold) a container with memory. So does an app with a
 * deployment being started (a sleeping or crashed app's new version counts from then on).
 */
export const runningStatuses: readonly AppStatus[] = ['running', 'deploying', 'waking'];

/** The replicas an awake app runs: the scaler's count, within the app's minimum and maximum. */
const awakeReplicas = sql`greatest(1, ${apps.minReplicas}, least(${apps.replicaCount}, ${apps.maxReplicas}))`;

/** The same, in TypeScript, for an app's row. */
export function replicasOf(app: { minReplicas: number; maxReplicas: number; replicaCount: number }): number {
  return Math.max(1, app.minReplicas, Math.min(app.replicaCount, app.maxReplicas));
}

export async function workspaceLimits(deps: LimitsDeps, workspaceId: string): Promise<WorkspaceLimits> {
  const [row] = await deps.db
    .select({
      maxApps: workspaces.maxApps,
      maxRunningApps: workspaces.maxRunningApps,
      maxMemoryMb: workspaces.maxMemoryMb,
    })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!row) throw new CoveError('not_found', 'This workspace does not exist (any more).');
  return {
    maxApps: row.maxApps ?? deps.config.COVE_WORKSPACE_MAX_APPS,
    maxRunningApps: row.maxRunningApps ?? deps.config.COVE_WORKSPACE_MAX_RUNNING_APPS,
    maxMemoryMb: row.maxMemoryMb ?? deps.config.COVE_WORKSPACE_MAX_MEMORY_MB,
  };
}

/** Usage, optionally leaving one app out (the one whose change is being checked). */
export async function workspaceUsage(
  deps: LimitsDeps,
  workspaceId: string,
  exceptAppId?: string,
): Promise<WorkspaceUsage> {
  const scope = exceptAppId
    ? and(eq(apps.workspaceId, workspaceId), ne(apps.id, exceptAppId))
    : eq(apps.workspaceId, workspaceId);
  const [totals] = await deps.db.select({ apps: count() }).from(apps).where(scope);
  const isStarting = exists(
    deps.db
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.appId, apps.id), eq(deployments.status, 'deploying'))),
  );
  const [awake] = await deps.db
    .select({
      count: count(),
      memoryMb: sql<string>`coalesce(sum(coalesce(${apps.memoryMb}, ${deps.config.COVE_APP_MEMORY_MB}) * ${awakeReplicas}), 0)`,
    })
    .from(apps)
    .where(and(scope, or(inArray(apps.status, [...runningStatuses]), isStarting)));
  return {
    apps: totals?.apps ?? 0,
    runningApps: awake?.count ?? 0,
    memoryMb: Number(awake?.memoryMb ?? 0),
  };
}

function limitReached(message: string, field?: string): CoveError {
  return new CoveError('limit_reached', message, field ? { fields: { [field]: message } } : undefined);
}

/** A new app must fit the app count, and start (it deploys at once) within the awake limits. */
export async function checkCanCreateApp(deps: LimitsDeps, workspaceId: string): Promise<void> {
  const [limits, usage] = await Promise.all([
    workspaceLimits(deps, workspaceId),
    workspaceUsage(deps, workspaceId),
  ]);
  if (usage.apps >= limits.maxApps) {
    throw limitReached(
      `This workspace has ${usage.apps} of its ${limits.maxApps} apps. Delete an app first, or ask the operator to raise the limit.`,
    );
  }
  await checkCanRun(deps, workspaceId, null, 'deploy a new app');
}

async function isAwake(deps: LimitsDeps, appId: string): Promise<boolean> {
  const [app] = await deps.db.select({ status: apps.status }).from(apps).where(eq(apps.id, appId));
  return app !== undefined && runningStatuses.includes(app.status);
}

/**
 * An app's memory setting (null: the platform's default) must fit the workspace's limit: beside the
 * other awake apps when this one is awake, alone when it sleeps (waking checks again).
 */
export async function checkMemorySetting(
  deps: LimitsDeps,
  workspaceId: string,
  appId: string,
  memoryMb: number | null,
  replicas = 1,
  field: 'memoryMb' | 'minReplicas' = 'memoryMb',
): Promise<void> {
  const perReplicaMb = appLimits(deps.config, { memoryMb, cpus: null }).memoryMb;
  const wanted = perReplicaMb * replicas;
  const each = replicas === 1 ? '' : ` (${replicas} replicas of ${perReplicaMb} MB)`;
  const [limits, others, awake] = await Promise.all([
    workspaceLimits(deps, workspaceId),
    workspaceUsage(deps, workspaceId, appId),
    isAwake(deps, appId),
  ]);
  if (!awake && wanted > limits.maxMemoryMb) {
    const advice = each
      ? `; this one would need ${wanted} MB${each}. Lower its memory or its minimum of replicas, or ask the operator to raise the limit.`
      : '. Ask the operator to raise the limit.';
    throw limitReached(
      `This workspace's awake apps may use ${limits.maxMemoryMb} MB together, so no app can have more${advice}`,
      field,
    );
  }
  if (awake && others.memoryMb + wanted > limits.maxMemoryMb) {
    const left = Math.max(0, limits.maxMemoryMb - others.memoryMb);
    throw limitReached(
      `This workspace's awake apps may use ${limits.maxMemoryMb} MB together and the others awake now use ${others.memoryMb} MB, so this app can have at most ${left} MB${each ? `, and it would need ${wanted} MB${each}` : ''}. Put another app to sleep or lower its memory, or ask the operator to raise the limit.`,
      field,
    );
  }
}

/** The memory the app asks for when it runs, all its replicas (a new app: the platform's default, once). */
async function memoryNeededMb(deps: LimitsDeps, appId: string | null): Promise<number> {
  const [app] =
    appId === null
      ? []
      : await deps.db
          .select({
            memoryMb: apps.memoryMb,
            cpus: apps.cpus,
            minReplicas: apps.minReplicas,
            maxReplicas: apps.maxReplicas,
            replicaCount: apps.replicaCount,
          })
          .from(apps)
          .where(eq(apps.id, appId));
  const perReplicaMb = appLimits(deps.config, app ?? { memoryMb: null, cpus: null }).memoryMb;
  return perReplicaMb * (app ? replicasOf(app) : 1);
}

/**
 * How many of `wanted` replicas of an awake app fit the workspace's memory beside its other awake
 * apps (at least 1: the one it runs already is never taken away here).
 */
export async function replicasThatFit(
  deps: LimitsDeps,
  workspaceId: string,
  appId: string,
  wanted: number,
): Promise<number> {
  const limits = await workspaceLimits(deps, workspaceId);
  const others = await workspaceUsage(deps, workspaceId, appId);
  const [app] = await deps.db
    .select({ memoryMb: apps.memoryMb, cpus: apps.cpus })
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)));
  const perReplicaMb = appLimits(deps.config, app ?? { memoryMb: null, cpus: null }).memoryMb;
  const fitting = Math.floor((limits.maxMemoryMb - others.memoryMb) / perReplicaMb);
  return Math.max(1, Math.min(wanted, fitting));
}

/**
 * Why the app may not start now (deploy or wake): the workspace already runs its maximum of apps, or
 * its awake apps' memory and this one's would pass the limit. Null when it may. The app itself is not
 * counted, so redeploying a running app is never refused.
 */
export async function runningLimitMessage(
  deps: LimitsDeps,
  workspaceId: string,
  appId: string | null,
  action: string,
): Promise<string | null> {
  // One after another: claimRunningSlot passes a transaction, a single connection.
  const limits = await workspaceLimits(deps, workspaceId);
  const usage = await workspaceUsage(deps, workspaceId, appId ?? undefined);
  const neededMb = await memoryNeededMb(deps, appId);
  if (usage.runningApps >= limits.maxRunningApps) {
    return `Cove cannot ${action}: this workspace already runs ${usage.runningApps} of its ${limits.maxRunningApps} apps at once. Put an app to sleep or delete one, or ask the operator to raise the limit.`;
  }
  if (usage.memoryMb + neededMb > limits.maxMemoryMb) {
    return `Cove cannot ${action}: it needs ${neededMb} MB, and this workspace's awake apps already use ${usage.memoryMb} of their ${limits.maxMemoryMb} MB. Put an app to sleep or lower an app's memory, or ask the operator to raise the limit.`;
  }
  return null;
}

export async function checkCanRun(
  deps: LimitsDeps,
  workspaceId: string,
  appId: string | null,
  action: string,
): Promise<void> {
  const message = await runningLimitMessage(deps, workspaceId, appId, action);
  if (message !== null) throw limitReached(message);
}

/**
 * Takes a running slot for the app: `claim` (which marks the app or its deployment as starting, in
 * the transaction) runs only when the workspace may run one more app, or the app already runs or is
 * starting (a redeploy is never refused). The count is read under a lock per workspace (a Postgres
 * advisory lock held to the commit), so two apps starting at once on any builder never both take
 * the last slot.
 */
export async function claimRunningSlot<T>(
  deps: { db: Database; config: LimitsConfig },
  workspaceId: string,
  appId: string,
  action: string,
  claim: (tx: Transaction) => Promise<T>,
): Promise<{ refusal: string } | { refusal: null; claimed: T }> {
  return deps.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`cove:running:${workspaceId}`}, 0))`,
    );
    const [app] = await tx.select({ status: apps.status }).from(apps).where(eq(apps.id, appId));
    if (app && !runningStatuses.includes(app.status)) {
      const refusal = await runningLimitMessage({ db: tx, config: deps.config }, workspaceId, appId, action);
      if (refusal !== null) return { refusal };
    }
    return { refusal: null, claimed: await claim(tx) };
  });
}
