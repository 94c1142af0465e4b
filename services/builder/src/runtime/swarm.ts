// The Docker Swarm implementation of the app runtime contract (AppRuntime): each app instance is a
// Swarm service of one replica (endpoint mode dnsrr), placed by Swarm on a node with room, on an
// overlay network of its app's own; stop scales it to 0 and start back to 1. What only the engine
// that runs a task can do (freeze it, read its memory, its OOM kills, its output) goes to that node's
// engine, which the runtime reaches through the node sockets it is given.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { freeSubnets } from '@cove/shared/network/subnet-pool';
import Docker from 'dockerode';
import { z } from 'zod';
import { ignoreMissing, labelFilters, statusCodeOf } from './docker';
import { followContainerLogs } from './docker-logs';
import { instanceStatsOf } from './instance-stats';
import { demultiplexLines, LineSplitter } from './log-lines';
import { createImagePublisher, type RegistryAccess, registryAuth } from './swarm-images';
import {
  currentTask,
  type InstanceView,
  placementProblem,
  type SwarmNode,
  type SwarmService,
  type SwarmTask,
  swarmNode,
  swarmService,
  swarmTask,
  type TaskContainer,
  toContainerInfo,
} from './swarm-model';
import { type MountedSecret, serviceSpec } from './swarm-spec';
import type { AppRuntime, ContainerInfo, LogFollower, NetworkOptions, RunContainerRequest } from './types';

export interface SwarmRuntimeOptions {
  /** A manager's engine socket: services, tasks, nodes, networks and secrets are made through it. */
  managerSocket: string;
  /** Every node's engine socket (the manager's too), for what only a task's own engine does. */
  nodeSockets: readonly string[];
  /** The engine that builds images (the builder's); they are pushed from it to the registry. */
  buildSocket: string;
  registry: RegistryAccess;
  /** Of an instance's CPU limit, the share Swarm reserves for it on its node (0 to 1). */
  cpuReservationRatio: number;
  /** How long run, start and restart wait for Swarm to place and start the task. */
  startTimeoutMs: number;
}

/** The label naming the service a secret belongs to (removed with it). */
const secretOfLabel = 'cove.secret-of';

const engineInfo = z.object({ Swarm: z.object({ NodeID: z.string() }) });
const containerState = z.object({
  State: z.object({ Paused: z.boolean(), OOMKilled: z.boolean() }),
});
const nodeEvent = z.object({
  Action: z.string(),
  Actor: z.object({ Attributes: z.record(z.string(), z.string()).optional() }),
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function socketPath(socket: string): string {
  return socket.replace(/^unix:\/\//, '');
}

export function createSwarmRuntime(options: SwarmRuntimeOptions): AppRuntime {
  const manager = new Docker({ socketPath: socketPath(options.managerSocket) });
  const publisher = createImagePublisher(
    new Docker({ socketPath: socketPath(options.buildSocket) }),
    options.registry,
  );
  const nodeEngines = options.nodeSockets.map((socket) => new Docker({ socketPath: socketPath(socket) }));
  /** Node id -> its engine, learnt by asking each engine which node it is. */
  let enginesByNode = new Map<string, Docker>();
  let enginesLearntAt = 0;

  async function engineOfNode(nodeId: string): Promise<Docker | null> {
    const known = enginesByNode.get(nodeId);
    if (known) return known;
    // An engine that did not answer last time (stopped, restarting) is asked again, at most each 2 s.
    if (Date.now() - enginesLearntAt < 2000) return null;
    enginesLearntAt = Date.now();
    const learnt = new Map<string, Docker>();
    await Promise.all(
      nodeEngines.map(async (engine) => {
        try {
          const info = engineInfo.safeParse(await engine.info());
          if (info.success && info.data.Swarm.NodeID) learnt.set(info.data.Swarm.NodeID, engine);
        } catch {
          // not answering now: its tasks are reported without what only it can say
        }
      }),
    );
    enginesByNode = learnt;
    return learnt.get(nodeId) ?? null;
  }

  async function readNodes(): Promise<Map<string, SwarmNode>> {
    const nodes = z.array(swarmNode).parse(await manager.listNodes());
    return new Map(nodes.map((node) => [node.ID, node]));
  }

  async function readService(idOrName: string): Promise<SwarmService | null> {
    const raw = await ignoreMissing(() => manager.getService(idOrName).inspect());
    return raw === null ? null : swarmService.parse(raw);
  }

  async function readTasks(serviceId: string): Promise<SwarmTask[]> {
    // 404: the service is gone (removed meanwhile), and its tasks with it.
    const listed = await ignoreMissing(() => manager.listTasks({ filters: { service: [serviceId] } }));
    return z
      .array(swarmTask)
      .parse(listed ?? [])
      .filter((task) => task.ServiceID === serviceId);
  }

  /** The current task's container on its node's engine, and that engine. */
  async function taskContainer(
    task: SwarmTask | null,
  ): Promise<{ engine: Docker; containerId: string } | null> {
    const containerId = task?.Status.ContainerStatus?.ContainerID;
    if (!task?.NodeID || !containerId) return null;
    const engine = await engineOfNode(task.NodeID);
    return engine ? { engine, containerId } : null;
  }

  async function readTaskContainer(task: SwarmTask | null): Promise<TaskContainer | null> {
    const located = await taskContainer(task);
    if (!located) return null;
    try {
      const inspected = containerState.safeParse(
        await located.engine.getContainer(located.containerId).inspect(),
      );
      return inspected.success
        ? { isPaused: inspected.data.State.Paused, isOomKilled: inspected.data.State.OOMKilled }
        : null;
    } catch {
      return null; // its engine is gone or removed the container: nothing more to say
    }
  }

  async function view(service: SwarmService, nodes?: Map<string, SwarmNode>): Promise<InstanceView> {
    const tasks = await readTasks(service.ID);
    return {
      service,
      tasks,
      nodes: nodes ?? (await readNodes()),
      container: await readTaskContainer(currentTask(tasks)),
      network: null,
    };
  }

  async function inspect(idOrName: string): Promise<ContainerInfo | null> {
    const service = await readService(idOrName);
    return service ? toContainerInfo(await view(service)) : null;
  }

  /** The current task (as inspect sees it) and its container, for the engine-side operations. */
  async function located(serviceId: string, doing: string) {
    const service = await readService(serviceId);
    if (!service) return null;
    const tasks = await readTasks(service.ID);
    const task = currentTask(tasks);
    const where = await taskContainer(task);
    if (!where && task?.Status.State === 'running') {
      throw new Error(
        `Cove cannot ${doing} ${service.Spec.Name}: it runs on a node whose engine is not among the node sockets it was given (COVE_SWARM_NODE_SOCKETS), or that engine does not answer.`,
      );
    }
    return where;
  }

  async function updateService(
    service: SwarmService,
    change: (spec: SwarmService['Spec']) => SwarmService['Spec'],
  ): Promise<void> {
    // The spec goes as the body, the version it was read at as the query (docker-modem's _body/_query).
    await manager.getService(service.ID).update({
      authconfig: registryAuth(options.registry),
      _query: { version: service.Version.Index },
      _body: change(service.Spec),
    });
  }

  /** Waits until `isDone` holds of the instance; a task Swarm cannot place or start says why. */
  async function waitFor(
    serviceId: string,
    isDone: (info: ContainerInfo, currentTaskId: string | null) => boolean,
    what: string,
  ): Promise<ContainerInfo | null> {
    const deadline = Date.now() + options.startTimeoutMs;
    for (;;) {
      const service = await readService(serviceId);
      if (!service) return null;
      const seen = await view(service);
      const info = toContainerInfo(seen);
      if (isDone(info, currentTask(seen.tasks)?.ID ?? null)) return info;
      if (Date.now() > deadline) {
        const problem = placementProblem(seen.tasks);
        // Swarm's own word for where the task is: 'preparing' is mostly its node pulling the image.
        const taskState = currentTask(seen.tasks)?.Status.State ?? 'not created';
        throw new Error(
          `Swarm did not ${what} ${service.Spec.Name} within ${Math.round(options.startTimeoutMs / 1000)} s${problem ? `: ${problem}` : ` (its task is ${taskState})`}.`,
        );
      }
      await delay(150);
    }
  }

  const hasStarted = (info: ContainerInfo) =>
    (info.state === 'running' && info.endpoint !== null) || info.state === 'exited' || info.state === 'dead';

  /**
   * Waits for a task other than `previousTaskId` to start. Scaled back up while its old task was
   * still being removed, Swarm can leave the service with no task at all (the slot looked taken
   * when it counted): a service with no new task after a few seconds is nudged (ForceUpdate),
   * which makes Swarm count again.
   */
  async function waitForNewTask(serviceId: string, previousTaskId: string | null, what: string) {
    let nudgeAt = Date.now() + 3000;
    return waitFor(
      serviceId,
      (info, taskId) => {
        const isNew = taskId !== null && taskId !== previousTaskId;
        if (!isNew && Date.now() > nudgeAt) {
          nudgeAt = Date.now() + 3000;
          // A failed nudge is tried again at the next interval.
          nudge(serviceId).catch(() => {});
        }
        return isNew && hasStarted(info);
      },
      what,
    );
  }

  async function nudge(serviceId: string): Promise<void> {
    const service = await readService(serviceId);
    if (!service || (service.Spec.Mode.Replicated?.Replicas ?? 1) === 0) return;
    const tasks = await readTasks(service.ID);
    if (tasks.some((task) => task.DesiredState === 'running' || task.DesiredState === 'ready')) return;
    await updateService(service, (spec) => ({
      ...spec,
      TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (spec.TaskTemplate.ForceUpdate ?? 0) + 1 },
    }));
  }

  async function currentTaskId(serviceId: string): Promise<string | null> {
    return currentTask(await readTasks(serviceId))?.ID ?? null;
  }

  /** Each read-only file as a Swarm secret (made once per content), mounted at its path. */
  async function mountedSecrets(request: RunContainerRequest): Promise<MountedSecret[]> {
    const secrets: MountedSecret[] = [];
    for (const [index, file] of (request.readOnlyFiles ?? []).entries()) {
      const content = await readFile(file.hostPath);
      const digest = createHash('sha256')
        .update(file.containerPath)
        .update(content)
        .digest('hex')
        .slice(0, 16);
      const name = `${request.name}-${index}-${digest}`;
      let id: string;
      try {
        const created: unknown = await manager.createSecret({
          Name: name,
          Labels: { ...request.labels, [secretOfLabel]: request.name },
          Data: content.toString('base64'),
        });
        id = z
          .object({ id: z.string() })
          .or(z.object({ ID: z.string() }).transform((value) => ({ id: value.ID })))
          .parse(created).id;
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
        const existing = z
          .array(z.object({ ID: z.string(), Spec: z.object({ Name: z.string() }) }))
          .parse(await manager.listSecrets({ filters: { name: [name] } }));
        const match = existing.find((secret) => secret.Spec.Name === name);
        if (!match) throw error;
        id = match.ID;
      }
      secrets.push({ id, name, containerPath: file.containerPath });
    }
    return secrets;
  }

  /** Secrets of services that are gone (a secret in use cannot be removed; those wait their turn). */
  async function removeSecretsOf(serviceName: string): Promise<void> {
    const secrets = z
      .array(z.object({ ID: z.string() }))
      .parse(await manager.listSecrets({ filters: { label: [`${secretOfLabel}=${serviceName}`] } }));
    for (const secret of secrets) {
      try {
        await manager.getSecret(secret.ID).remove();
      } catch (error) {
        const code = statusCodeOf(error);
        if (code !== 404 && code !== 400 && code !== 409) throw error;
      }
    }
  }

  async function removeService(idOrName: string): Promise<void> {
    const service = await readService(idOrName);
    if (!service) return;
    await ignoreMissing(() => manager.getService(service.ID).remove());
    // Done when its tasks are (as Docker's removal is): their containers hold the image and the
    // network until then. A task on a lost node never reports; it is not waited for.
    const deadline = Date.now() + 30_000;
    const filters = { label: [`com.docker.swarm.service.id=${service.ID}`] };
    while (Date.now() < deadline) {
      const left = await Promise.all(
        nodeEngines.map((engine) => engine.listContainers({ all: true, filters }).catch(() => [])),
      );
      if (left.every((containers) => containers.length === 0)) break;
      await delay(200);
    }
    await removeSecretsOf(service.Spec.Name);
  }

  /** Disconnects the containers on this engine that joined the network and are no Swarm task. */
  async function disconnectJoined(engine: Docker, network: string): Promise<void> {
    try {
      const inspected = z
        .object({ Containers: z.record(z.string(), z.unknown()).nullish() })
        .parse(await engine.getNetwork(network).inspect());
      for (const containerId of Object.keys(inspected.Containers ?? {})) {
        const container = await ignoreMissing(() => engine.getContainer(containerId).inspect());
        if (!container || container.Config.Labels?.['com.docker.swarm.task.id']) continue;
        await engine.getNetwork(network).disconnect({ Container: containerId, Force: true });
      }
    } catch {
      // the engine does not have the network (or does not answer): nothing of it to let go
    }
  }

  async function subnetsInUse(): Promise<string[]> {
    const networks = await manager.listNetworks();
    return networks.flatMap((network) =>
      (network.IPAM?.Config ?? []).flatMap((config) => (config.Subnet ? [config.Subnet] : [])),
    );
  }

  let networkCreation: Promise<void> = Promise.resolve();

  async function createNetworkUnlessPresent(
    name: string,
    labels: Record<string, string>,
    networkOptions: NetworkOptions,
  ): Promise<void> {
    const existing = await manager.listNetworks({ filters: { name: [name] } });
    if (existing.some((network) => network.Name === name)) return;
    const create = (subnet: string | null) =>
      manager.createNetwork({
        Name: name,
        Driver: 'overlay',
        CheckDuplicate: true,
        // A probe or a proxy outside Swarm's services can join it to reach the tasks' addresses.
        Attachable: true,
        Labels: labels,
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
      });
    try {
      if (!networkOptions.subnets) {
        await create(null);
        return;
      }
      const candidates = freeSubnets(networkOptions.subnets, name, await subnetsInUse());
      if (candidates.length === 0) {
        throw new Error(
          `Every subnet of ${networkOptions.subnets.range} (COVE_APP_SUBNETS) is in use: there is no room for another app network. Give Cove a larger range, or delete apps.`,
        );
      }
      for (const [index, subnet] of candidates.slice(0, 8).entries()) {
        try {
          await create(subnet);
          return;
        } catch (error) {
          if (statusCodeOf(error) !== 403 || index === 7) throw error;
        }
      }
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
    }
  }

  async function createService(request: RunContainerRequest): Promise<string> {
    const image = await publisher.publish(request.image, request.labels);
    const spec = serviceSpec(request, {
      image,
      secrets: await mountedSecrets(request),
      cpuReservationRatio: options.cpuReservationRatio,
      stopGracePeriodSeconds: 10,
    });
    const created: unknown = await manager.createService(registryAuth(options.registry), spec);
    const parsed = z
      .object({ ID: z.string() })
      .or(z.object({ id: z.string() }).transform((value) => ({ ID: value.id })));
    return parsed.parse(created).ID;
  }

  async function followEvents(
    engine: Docker,
    labels: Record<string, string>,
    onOomKill: (id: string) => void,
  ) {
    const stream = await engine.getEvents({
      filters: { type: ['container'], event: ['oom'], label: labelFilters(labels) },
    });
    const splitter = new LineSplitter();
    stream.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk.toString('utf8'))) {
        try {
          const event = nodeEvent.safeParse(JSON.parse(line));
          const serviceId = event.success
            ? event.data.Actor.Attributes?.['com.docker.swarm.service.id']
            : undefined;
          if (event.success && event.data.Action === 'oom' && serviceId) onOomKill(serviceId);
        } catch {
          // not JSON: a partial or foreign line, nothing to report
        }
      }
    });
    const ended = new Promise<void>((resolve) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
    });
    return {
      ended,
      stop() {
        if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      },
    };
  }

  return {
    ensureNetwork(name, labels, networkOptions = {}) {
      // One at a time: two networks made at once would pick their subnets from the same listing.
      const made = networkCreation.then(() => createNetworkUnlessPresent(name, labels, networkOptions));
      networkCreation = made.catch(() => {});
      return made;
    },

    async removeNetwork(name) {
      // The tasks of a removed service leave the network a moment later: until then it is in use.
      // Containers that joined it from outside Swarm (a proxy, a probe) are let go of first.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await ignoreMissing(() => manager.getNetwork(name).remove());
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        await Promise.all(nodeEngines.map((engine) => disconnectJoined(engine, name)));
        await delay(250);
      }
    },

    async listNetworks(labels) {
      const networks = await manager.listNetworks({ filters: { label: labelFilters(labels) } });
      return networks.map((network) => network.Name);
    },

    async run(request) {
      let serviceId: string;
      try {
        serviceId = await createService(request);
      } catch (error) {
        // A service of that name is left from an earlier attempt: it is ours to replace.
        if (statusCodeOf(error) !== 409) throw error;
        await removeService(request.name);
        serviceId = await createService(request);
      }
      const started = await waitFor(serviceId, hasStarted, 'start');
      if (!started) throw new Error(`Service ${request.name} disappeared right after it was created`);
      return started;
    },

    async restart(serviceId, timeoutSeconds) {
      const service = await readService(serviceId);
      if (!service) return null;
      const previous = await currentTaskId(service.ID);
      await updateService(service, (spec) => ({
        ...spec,
        Mode: { ...spec.Mode, Replicated: { Replicas: 1 } },
        TaskTemplate: {
          ...spec.TaskTemplate,
          ForceUpdate: (spec.TaskTemplate.ForceUpdate ?? 0) + 1,
          ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, StopGracePeriod: timeoutSeconds * 1e9 },
        },
      }));
      return waitForNewTask(service.ID, previous, 'restart');
    },

    async stop(serviceId, timeoutSeconds) {
      const service = await readService(serviceId);
      if (!service) return;
      // A frozen task would sit out the whole grace period: it is thawed to hear the stop.
      const before = toContainerInfo(await view(service));
      if (before.state === 'paused') {
        const where = await located(service.ID, 'stop');
        if (where) await ignoreMissing(() => where.engine.getContainer(where.containerId).unpause());
      }
      if ((service.Spec.Mode.Replicated?.Replicas ?? 1) !== 0) {
        await updateService(service, (spec) => ({
          ...spec,
          Mode: { ...spec.Mode, Replicated: { Replicas: 0 } },
          TaskTemplate: {
            ...spec.TaskTemplate,
            ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, StopGracePeriod: timeoutSeconds * 1e9 },
          },
        }));
      }
      await waitFor(service.ID, (info) => info.state === 'exited' || info.state === 'dead', 'stop');
    },

    async pause(serviceId) {
      const where = await located(serviceId, 'freeze');
      if (!where) return;
      try {
        await where.engine.getContainer(where.containerId).pause();
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
      }
    },

    async unpause(serviceId) {
      const where = await located(serviceId, 'resume');
      if (!where) return;
      try {
        await where.engine.getContainer(where.containerId).unpause();
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
      }
    },

    async start(serviceId) {
      const service = await readService(serviceId);
      if (!service) return null;
      const current = toContainerInfo(await view(service));
      if (current.state === 'running' || current.state === 'paused' || current.state === 'created') {
        return current.state === 'created' ? waitFor(service.ID, hasStarted, 'start') : current;
      }
      const previous = await currentTaskId(service.ID);
      const isScaledDown = (service.Spec.Mode.Replicated?.Replicas ?? 1) === 0;
      // Scaled to 0: back to 1. Its one task ended, or its node was lost: a fresh task, which Swarm
      // places on a node that has room.
      await updateService(service, (spec) => ({
        ...spec,
        Mode: { ...spec.Mode, Replicated: { Replicas: 1 } },
        TaskTemplate: {
          ...spec.TaskTemplate,
          ...(isScaledDown ? {} : { ForceUpdate: (spec.TaskTemplate.ForceUpdate ?? 0) + 1 }),
        },
      }));
      return waitForNewTask(service.ID, previous, 'start');
    },

    remove: removeService,
    inspect,

    async list(labels) {
      const services = z
        .array(swarmService)
        .parse(await manager.listServices({ filters: { label: labelFilters(labels) } }));
      const nodes = await readNodes();
      return Promise.all(services.map(async (service) => toContainerInfo(await view(service, nodes))));
    },

    async tailLogs(serviceId, lineCount) {
      const where = await located(serviceId, 'read the output of').catch(() => null);
      if (where) {
        const output = await ignoreMissing(() =>
          where.engine
            .getContainer(where.containerId)
            .logs({ stdout: true, stderr: true, tail: lineCount, follow: false }),
        );
        if (output) return demultiplexLines(output);
      }
      // Its node's engine is out of reach: the manager gathers the service's output instead.
      const output = await ignoreMissing(() =>
        manager.getService(serviceId).logs({ stdout: true, stderr: true, tail: lineCount, follow: false }),
      );
      return Buffer.isBuffer(output) ? demultiplexLines(output) : [];
    },

    async followLogs(serviceId, sinceSeconds, onLine): Promise<LogFollower> {
      const where = await located(serviceId, 'follow the output of');
      if (!where) throw new Error(`Service ${serviceId} has no running task whose output Cove can follow`);
      return followContainerLogs(where.engine, where.containerId, sinceSeconds, onLine);
    },

    async watchOomKills(labels, onOomKill): Promise<LogFollower> {
      const followers = await Promise.all(
        nodeEngines.map((engine) => followEvents(engine, labels, onOomKill)),
      );
      return {
        ended: Promise.all(followers.map((follower) => follower.ended)).then(() => {}),
        stop() {
          for (const follower of followers) follower.stop();
        },
      };
    },

    async memoryPeakMb(serviceId) {
      const where = await located(serviceId, 'read the memory of').catch(() => null);
      if (!where) return null;
      const stats = await ignoreMissing(() =>
        where.engine.getContainer(where.containerId).stats({ stream: false }),
      );
      const peakBytes = stats?.memory_stats?.max_usage;
      return peakBytes ? Math.round(peakBytes / (1024 * 1024)) : null;
    },

    async stats(serviceId) {
      // The task's container on its node's engine, as `docker stats` there would read it.
      const where = await located(serviceId, 'read the stats of').catch(() => null);
      if (!where) return null;
      const container = where.engine.getContainer(where.containerId);
      const inspected = await ignoreMissing(() => container.inspect());
      if (!inspected?.State.Running || inspected.State.Paused) return null;
      const stats = await ignoreMissing(() => container.stats({ stream: false }));
      return stats ? instanceStatsOf(stats) : null;
    },
  };
}
