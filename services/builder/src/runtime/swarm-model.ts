// What Cove reads of Swarm's objects (services, tasks, nodes), and the pure step from a service and
// its tasks to the ContainerInfo of the runtime contract: one Swarm service is one app instance.
import { z } from 'zod';
import type { ContainerInfo, ContainerState } from './types';

/** The service label that keeps the port the app listens on (its endpoint's port). */
export const containerPortLabel = 'cove.container-port';

export const swarmService = z.object({
  ID: z.string(),
  Version: z.object({ Index: z.number() }),
  Spec: z.looseObject({
    Name: z.string(),
    Labels: z.record(z.string(), z.string()).nullish(),
    TaskTemplate: z.looseObject({
      ContainerSpec: z.looseObject({ Image: z.string() }),
      Resources: z
        .looseObject({ Limits: z.looseObject({ MemoryBytes: z.number().optional() }).optional() })
        .optional(),
      ForceUpdate: z.number().optional(),
    }),
    Mode: z.looseObject({ Replicated: z.object({ Replicas: z.number().optional() }).optional() }),
  }),
});
export type SwarmService = z.infer<typeof swarmService>;

export const swarmTask = z.object({
  ID: z.string(),
  ServiceID: z.string(),
  NodeID: z.string().optional(),
  CreatedAt: z.string(),
  DesiredState: z.string(),
  Status: z.object({
    State: z.string(),
    Err: z.string().optional(),
    ContainerStatus: z
      .object({ ContainerID: z.string().optional(), ExitCode: z.number().optional() })
      .optional(),
  }),
  NetworksAttachments: z
    .array(
      z.object({
        Network: z.object({ Spec: z.object({ Name: z.string() }) }),
        Addresses: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});
export type SwarmTask = z.infer<typeof swarmTask>;

export const swarmNode = z.object({
  ID: z.string(),
  Description: z.object({ Hostname: z.string() }),
  Status: z.object({ State: z.string(), Addr: z.string().optional() }),
});
export type SwarmNode = z.infer<typeof swarmNode>;

/** What the task's container says on its node's engine, when Cove can ask it. */
export interface TaskContainer {
  isPaused: boolean;
  isOomKilled: boolean;
}

const startingStates = ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting'];

/** Swarm means the task to run: now, or once the one it replaces has stopped (desired 'ready'). */
function isMeantToRun(task: SwarmTask): boolean {
  return task.DesiredState === 'running' || task.DesiredState === 'ready';
}

/**
 * The task that stands for the instance now: the newest one Swarm means to run, else the newest of
 * all (what last ran, when the service is scaled to 0 or its task ended).
 */
export function currentTask(tasks: readonly SwarmTask[]): SwarmTask | null {
  const newestFirst = [...tasks].sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
  return newestFirst.find((task) => isMeantToRun(task)) ?? newestFirst[0] ?? null;
}

/** The task's address on the network, without its prefix length. */
export function taskAddress(task: SwarmTask, network: string | null): string | null {
  const attachments = task.NetworksAttachments ?? [];
  const attachment =
    attachments.find((each) => each.Network.Spec.Name === network) ??
    attachments.find((each) => each.Network.Spec.Name !== 'ingress');
  const address = attachment?.Addresses?.[0];
  return address ? (address.split('/')[0] ?? null) : null;
}

export interface InstanceView {
  service: SwarmService;
  tasks: readonly SwarmTask[];
  /** The nodes of the swarm by id. */
  nodes: ReadonlyMap<string, SwarmNode>;
  /** The current task's container on its node, or null when its engine cannot be asked. */
  container: TaskContainer | null;
  /** The service's network (its first), where its endpoint lives. */
  network: string | null;
}

/** Said of an instance Swarm has not placed on a node yet. */
export const notPlaced = 'not placed yet';

function nodeName(node: SwarmNode | undefined): string {
  return node ? node.Description.Hostname : notPlaced;
}

function stateOf(view: InstanceView, task: SwarmTask | null, isScaledDown: boolean): ContainerState {
  if (task === null) return isScaledDown ? 'exited' : 'created';
  const node = task.NodeID ? view.nodes.get(task.NodeID) : undefined;
  const observed = task.Status.State;
  const isUnderWay = observed === 'running' || startingStates.includes(observed);
  // A node that stopped answering holds a task Swarm still lists as running (and, with no restart
  // policy, replaces by nothing): it serves nobody.
  if (isUnderWay && node && node.Status.State !== 'ready') return 'dead';
  if (observed === 'running' && task.DesiredState === 'running') {
    return view.container?.isPaused ? 'paused' : 'running';
  }
  if (startingStates.includes(observed) && isMeantToRun(task)) return 'created';
  if (observed === 'running') return 'removing'; // running, being shut down (a scale to 0)
  return 'exited'; // complete, shutdown, failed, rejected, orphaned or remove
}

export function toContainerInfo(view: InstanceView): ContainerInfo {
  const { service } = view;
  const replicas = service.Spec.Mode.Replicated?.Replicas ?? 1;
  const task = currentTask(view.tasks);
  const state = stateOf(view, task, replicas === 0);
  const labels = service.Spec.Labels ?? {};
  const port = Number.parseInt(labels[containerPortLabel] ?? '', 10);
  const address = task ? taskAddress(task, view.network) : null;
  const memoryBytes = service.Spec.TaskTemplate.Resources?.Limits?.MemoryBytes;
  const isServing = state === 'running' || state === 'paused';
  return {
    id: service.ID,
    name: service.Spec.Name,
    image: service.Spec.TaskTemplate.ContainerSpec.Image,
    labels,
    state,
    exitCode:
      state === 'exited' || state === 'dead' ? (task?.Status.ContainerStatus?.ExitCode ?? null) : null,
    isOomKilled: view.container?.isOomKilled ?? false,
    memoryLimitMb: memoryBytes ? Math.round(memoryBytes / (1024 * 1024)) : null,
    endpoint: isServing && address !== null && Number.isFinite(port) ? { host: address, port } : null,
    hostPort: null,
    node: task?.NodeID ? nodeName(view.nodes.get(task.NodeID)) : notPlaced,
  };
}

/** Why Swarm has not started the instance, in its own words (e.g. no node with room), or null. */
export function placementProblem(tasks: readonly SwarmTask[]): string | null {
  const task = currentTask(tasks);
  if (task === null) return null;
  if (task.Status.State === 'pending' || task.Status.State === 'rejected' || task.Status.State === 'failed') {
    return task.Status.Err ?? null;
  }
  return null;
}
