// The reconciler's judgement, as a pure function: from what Postgres says should run, what the
// engine reports and the current route table, the list of actions that converge them.
import type { AppStatus } from '@cove/shared/db/schema/apps';
import type { DeploymentStatus } from '@cove/shared/db/schema/deployments';
import { routeEntryFor, type ServingContainer } from '@cove/shared/lifecycle/routes';
import { type RouteEntry, visitorReason } from '@cove/shared/routing/route-table';
import { isPastInterruptionLimit } from '../builds/interruptions';
import { oomKillMessage } from '../deploy/oom-message';
import type { ContainerState, Endpoint } from '../runtime/types';

export interface DesiredApp {
  id: string;
  name: string;
  status: AppStatus;
  /** Why it is in that status, when Cove said (the proxy tells a failed app's visitors). */
  statusMessage: string | null;
  crashCount: number;
  updatedAt: Date;
  /** The app's own idle times (sleep/decide-sleep.ts); null: the platform's. */
  idle: { freezeAfterSeconds: number | null; stopAfterSeconds: number | null };
  /** Replicas to keep running while awake (the scaler's count, within the app's min and max). */
  replicaCount: number;
  /** The app's replica settings as saved (the scaler reads them). */
  replicaSettings: {
    minReplicas: number;
    maxReplicas: number;
    sessionsPerReplica: number;
    replicaCount: number;
  };
  live: {
    deploymentId: string;
    imageTag: string;
    containerId: string | null;
    /** The recorded endpoint's port (deployments.host_port). */
    hostPort: number | null;
  } | null;
}

export interface UnfinishedDeployment {
  id: string;
  appId: string;
  status: Extract<DeploymentStatus, 'queued' | 'building' | 'deploying'>;
  heartbeatAt: Date | null;
  /** Times its builder stopped while working on it before (each one built it again). */
  interruptionCount: number;
}

export interface ObservedContainer {
  id: string;
  appId: string | null;
  deploymentId: string | null;
  state: ContainerState;
  exitCode: number | null;
  isOomKilled: boolean;
  memoryLimitMb: number | null;
  endpoint: Endpoint | null;
  node: string;
}

export interface ReconcileInput {
  apps: readonly DesiredApp[];
  unfinished: readonly UnfinishedDeployment[];
  containers: readonly ObservedContainer[];
  routes: ReadonlyMap<string, RouteEntry>;
  now: Date;
  thresholds: { buildStaleSeconds: number; crashBackoffSeconds: number; crashBackoffMaxSeconds: number };
}

export type ReconcileAction =
  /** A build whose builder stopped: built again from the start, its leftover containers removed. */
  | { kind: 'rebuild-deployment'; deploymentId: string; containerIds: string[] }
  /** Likewise, once it was interrupted too many times: failed instead (builds/interruptions.ts). */
  | { kind: 'fail-deployment'; deploymentId: string; containerIds: string[] }
  | { kind: 'remove-container'; containerId: string; deploymentId: string | null }
  | { kind: 'mark-crashed'; appId: string; deploymentId: string; message: string }
  | { kind: 'start-live'; appId: string; deploymentId: string }
  /** The app serves with fewer replicas than it should (one died, or the count went up). */
  | { kind: 'start-replicas'; appId: string; deploymentId: string; total: number }
  | { kind: 'record-container'; deploymentId: string; containerId: string; endpoint: Endpoint }
  | { kind: 'write-route'; entry: RouteEntry; liveDeploymentId: string | null }
  | { kind: 'remove-route'; appName: string };

/** Apps whose live container is meant to be stopped, or is being handled by a wake. */
const restingStatuses: readonly AppStatus[] = ['sleeping', 'stopped', 'waking'];

export function crashMessage(
  container: Pick<ObservedContainer, 'exitCode' | 'isOomKilled' | 'memoryLimitMb'>,
): string {
  if (container.isOomKilled) {
    // An exited container's peak is gone with its cgroup; the kernel killed it at its limit.
    return oomKillMessage({
      isProcessKill: false,
      memoryLimitMb: container.memoryLimitMb,
      memoryPeakMb: null,
    });
  }
  return `Your app stopped with exit code ${container.exitCode ?? 'unknown'}. Cove restarts it; see the runtime log for what it printed.`;
}

function crashBackoffSeconds(crashCount: number, thresholds: ReconcileInput['thresholds']): number {
  const exponent = Math.max(0, Math.min(crashCount - 1, 16));
  return Math.min(thresholds.crashBackoffSeconds * 2 ** exponent, thresholds.crashBackoffMaxSeconds);
}

function isStale(deployment: UnfinishedDeployment, input: ReconcileInput): boolean {
  if (deployment.status === 'queued') return false;
  if (deployment.heartbeatAt === null) return true;
  return input.now.getTime() - deployment.heartbeatAt.getTime() > input.thresholds.buildStaleSeconds * 1000;
}

function isSameRoute(current: RouteEntry | undefined, wanted: RouteEntry): boolean {
  return current !== undefined && JSON.stringify(current) === JSON.stringify(wanted);
}

function decideLiveContainer(
  app: DesiredApp,
  input: ReconcileInput,
  actions: ReconcileAction[],
): ServingContainer[] {
  const live = app.live;
  if (live === null || restingStatuses.includes(app.status)) return [];
  const mine = input.containers.filter((container) => container.deploymentId === live.deploymentId);
  const isServing = (container: ObservedContainer) =>
    container.state === 'running' && container.endpoint !== null;
  // The recorded replica first, then the others up to the app's count; more than that (a swap cut
  // short, a scale-down half done) are removed.
  const running = mine
    .filter(isServing)
    .sort((a, b) => Number(b.id === live.containerId) - Number(a.id === live.containerId))
    .slice(0, Math.max(1, app.replicaCount));
  const busy = mine.find((container) => container.state === 'restarting' || container.state === 'paused');
  const kept = running.length > 0 ? running : busy ? [busy] : [];
  for (const container of mine) {
    if (!kept.includes(container))
      actions.push({ kind: 'remove-container', containerId: container.id, deploymentId: live.deploymentId });
  }
  const [primary] = running;
  if (primary && primary.endpoint !== null) {
    if (primary.id !== live.containerId || primary.endpoint.port !== live.hostPort) {
      actions.push({
        kind: 'record-container',
        deploymentId: live.deploymentId,
        containerId: primary.id,
        endpoint: primary.endpoint,
      });
    }
    if (running.length < app.replicaCount && app.status === 'running') {
      actions.push({
        kind: 'start-replicas',
        appId: app.id,
        deploymentId: live.deploymentId,
        total: app.replicaCount,
      });
    }
    return running.flatMap((container) =>
      container.endpoint === null
        ? []
        : [{ id: container.id, endpoint: container.endpoint, node: container.node }],
    );
  }
  if (busy) return [];
  const exited = mine.find((container) => container.state === 'exited' || container.state === 'dead');
  // Dead with no exit code: its node was lost (a cluster's), the app did nothing wrong; it starts
  // again at once, elsewhere, as after a host restart.
  const isLostWithItsNode = exited?.state === 'dead' && exited.exitCode === null && !exited.isOomKilled;
  const hasCrashed =
    exited !== undefined && !isLostWithItsNode && (exited.exitCode !== 0 || exited.isOomKilled);
  if (hasCrashed && app.status !== 'crashed') {
    actions.push({
      kind: 'mark-crashed',
      appId: app.id,
      deploymentId: live.deploymentId,
      message: crashMessage(exited),
    });
    return [];
  }
  const waitedSeconds = (input.now.getTime() - app.updatedAt.getTime()) / 1000;
  if (app.status === 'crashed' && waitedSeconds < crashBackoffSeconds(app.crashCount, input.thresholds))
    return [];
  actions.push({ kind: 'start-live', appId: app.id, deploymentId: live.deploymentId });
  return [];
}

export function decide(input: ReconcileInput): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  const appsById = new Map(input.apps.map((app) => [app.id, app]));
  const liveIds = new Set(input.apps.flatMap((app) => (app.live ? [app.live.deploymentId] : [])));

  const stillWorking = new Set<string>();
  const interrupted = new Set<string>();
  for (const deployment of input.unfinished) {
    if (!isStale(deployment, input)) {
      stillWorking.add(deployment.id);
      continue;
    }
    // Its builder stopped (killed, restarted): the build starts over, unless it keeps stopping it.
    interrupted.add(deployment.id);
    const containerIds = input.containers
      .filter((container) => container.deploymentId === deployment.id)
      .map((container) => container.id);
    const kind = isPastInterruptionLimit(deployment.interruptionCount + 1)
      ? 'fail-deployment'
      : 'rebuild-deployment';
    actions.push({ kind, deploymentId: deployment.id, containerIds });
  }

  for (const container of input.containers) {
    const app = container.appId === null ? undefined : appsById.get(container.appId);
    const deploymentId = container.deploymentId;
    if (deploymentId !== null && interrupted.has(deploymentId)) continue;
    const isWanted =
      app !== undefined &&
      deploymentId !== null &&
      (liveIds.has(deploymentId) || stillWorking.has(deploymentId));
    if (!isWanted) actions.push({ kind: 'remove-container', containerId: container.id, deploymentId });
  }

  for (const app of input.apps) {
    const serving = decideLiveContainer(app, input, actions);
    if (app.status === 'waking') continue;
    const reason = serving.length === 0 ? visitorReason(app.status, app.statusMessage) : undefined;
    const entry: RouteEntry = {
      ...routeEntryFor(app, app.status, serving),
      ...(reason === undefined ? {} : { reason }),
    };
    if (!isSameRoute(input.routes.get(app.name), entry)) {
      actions.push({ kind: 'write-route', entry, liveDeploymentId: app.live?.deploymentId ?? null });
    }
  }

  const appNames = new Set(input.apps.map((app) => app.name));
  for (const name of input.routes.keys()) {
    if (!appNames.has(name)) actions.push({ kind: 'remove-route', appName: name });
  }
  return actions;
}
