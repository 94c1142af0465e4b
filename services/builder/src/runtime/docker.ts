// The Docker implementation of the container runtime (dockerode over the engine's socket). The only
// module in Cove that talks to Docker.
import { hostname, networkInterfaces } from 'node:os';
import { freeSubnets } from '@cove/shared/network/subnet-pool';
import Docker from 'dockerode';
import { z } from 'zod';
import { buildImageWithDocker, pruneBuildCache } from './docker-build';
import { removeVolumesWithDocker, runInstallStepWithDocker } from './docker-install';
import { followContainerLogs } from './docker-logs';
import { instanceStatsOf } from './instance-stats';
import { demultiplexLines, LineSplitter } from './log-lines';
import {
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerState,
  type LogFollower,
  labelKeys,
  type NetworkOptions,
  type RunContainerRequest,
} from './types';

/** The bridge driver's option naming the network's interface on the host (else br-<id>). */
const bridgeNameOption = 'com.docker.network.bridge.name';

const containerStates: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const code = error.statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Runs an engine call, treating "no such object" (404) as nothing to do. */
export async function ignoreMissing<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (statusCodeOf(error) === 404) return null;
    throw error;
  }
}

export function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`);
}

function toContainerInfo(inspected: Docker.ContainerInspectInfo, node: string): ContainerInfo {
  const status = inspected.State.Status;
  const state = containerStates.find((candidate) => candidate === status) ?? 'dead';
  let hostPort: number | null = null;
  for (const bindings of Object.values(inspected.NetworkSettings.Ports ?? {})) {
    const published = bindings?.find((binding) => binding.HostPort !== '');
    if (published) hostPort = Number.parseInt(published.HostPort, 10);
  }
  return {
    id: inspected.Id,
    name: inspected.Name.replace(/^\//, ''),
    image: inspected.Config.Image,
    labels: inspected.Config.Labels ?? {},
    state,
    exitCode: state === 'exited' || state === 'dead' ? inspected.State.ExitCode : null,
    isOomKilled: inspected.State.OOMKilled,
    memoryLimitMb: inspected.HostConfig.Memory
      ? Math.round(inspected.HostConfig.Memory / (1024 * 1024))
      : null,
    hostPort: state === 'running' ? hostPort : null,
    // A frozen container keeps its published port: a wake needs only the unpause.
    endpoint:
      (state === 'running' || state === 'paused') && hostPort !== null
        ? { host: '127.0.0.1', port: hostPort }
        : null,
    node,
  };
}

/** The fields Cove reads of one line of the engine's event stream. */
const containerEvent = z.object({ Action: z.string(), Actor: z.object({ ID: z.string() }) });

function parseContainerEvent(line: string): z.infer<typeof containerEvent> | null {
  try {
    const parsed = containerEvent.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // not JSON: a partial or foreign line, nothing to report
  }
}

export function createDockerRuntime(socketPath: string): ContainerRuntime {
  const docker = new Docker({ socketPath });
  // One host: every container runs on it.
  const node = hostname();

  async function inspect(idOrName: string): Promise<ContainerInfo | null> {
    const inspected = await ignoreMissing(() => docker.getContainer(idOrName).inspect());
    return inspected ? toContainerInfo(inspected, node) : null;
  }

  async function remove(idOrName: string): Promise<void> {
    try {
      await docker.getContainer(idOrName).remove({ force: true, v: true });
    } catch (error) {
      const code = statusCodeOf(error);
      // 404: already gone; 409: another removal is under way.
      if (code !== 404 && code !== 409) throw error;
    }
  }

  let networkCreation: Promise<void> = Promise.resolve();

  async function createNetworkUnlessPresent(
    name: string,
    labels: Record<string, string>,
    options: NetworkOptions,
  ): Promise<void> {
    const existing = await docker.listNetworks({ filters: { name: [name] } });
    if (existing.some((network) => network.Name === name)) return;
    const create = async (subnet: string | null) => {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: labels,
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
        // Containers on an app's network do not talk to each other (old and new version included).
        Options: {
          'com.docker.network.bridge.enable_icc': 'false',
          ...(options.bridgeInterface ? { [bridgeNameOption]: options.bridgeInterface } : {}),
        },
      });
    };
    try {
      if (!options.subnets) return await create(null);
      const candidates = freeSubnets(options.subnets, name, await subnetsInUse());
      if (candidates.length === 0) {
        throw new Error(
          `Every subnet of ${options.subnets.range} (COVE_APP_SUBNETS) is in use: there is no room for another app network. Give Cove a larger range, or delete apps.`,
        );
      }
      // Another engine client can take a subnet between the listing and the creation: the engine
      // refuses an overlap (403), and the next candidate is tried.
      for (const [index, subnet] of candidates.slice(0, 8).entries()) {
        try {
          return await create(subnet);
        } catch (error) {
          if (statusCodeOf(error) !== 403 || index === 7) throw error;
        }
      }
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
    }
  }

  /** Every IPv4 subnet the engine's networks and the host's interfaces use. */
  async function subnetsInUse(): Promise<string[]> {
    const networks = await docker.listNetworks();
    const engine = networks.flatMap((network) =>
      (network.IPAM?.Config ?? []).flatMap((config) => (config.Subnet ? [config.Subnet] : [])),
    );
    const host = Object.values(networkInterfaces())
      .flatMap((addresses) => addresses ?? [])
      .flatMap((address) => (address.family === 'IPv4' && address.cidr ? [address.cidr] : []));
    return [...engine, ...host];
  }

  function createOptions(request: RunContainerRequest): Docker.ContainerCreateOptions {
    const port = `${request.containerPort}/tcp`;
    return {
      name: request.name,
      Image: request.image,
      Labels: request.labels,
      Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
      User: `${request.userId}:${request.userId}`,
      ExposedPorts: { [port]: {} },
      HostConfig: {
        NetworkMode: request.network,
        PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
        ReadonlyRootfs: true,
        Tmpfs: request.tmpfs,
        Mounts: (request.readOnlyFiles ?? []).map((file) => ({
          Type: 'bind' as const,
          Source: file.hostPath,
          Target: file.containerPath,
          ReadOnly: true,
        })),
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Memory: request.memoryMb * 1024 * 1024,
        MemorySwap: request.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(request.cpus * 1e9),
        PidsLimit: request.pidsLimit,
        RestartPolicy: { Name: 'no' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      },
    };
  }

  return {
    buildImage: (request) => buildImageWithDocker(docker, request),

    pruneBuildCache: (keepStorageBytes) => pruneBuildCache(docker, keepStorageBytes),

    async removeImage(tag) {
      await ignoreMissing(() => docker.getImage(tag).remove({ force: true }));
    },

    async imageId(reference) {
      const inspected = await ignoreMissing(() => docker.getImage(reference).inspect());
      return inspected?.Id ?? null;
    },

    async inspectImage(reference) {
      const inspected = await ignoreMissing(() => docker.getImage(reference).inspect());
      return inspected ? { id: inspected.Id, labels: inspected.Config?.Labels ?? {} } : null;
    },

    async listImages(labels) {
      const images = await docker.listImages({ filters: { label: labelFilters(labels) } });
      return images.map((image) => image.Id);
    },

    async listImagesWithLabels(labels) {
      const images = await docker.listImages({ filters: { label: labelFilters(labels) } });
      return images.map((image) => ({ id: image.Id, labels: image.Labels ?? {} }));
    },

    ensureNetwork(name, labels, options = {}) {
      // One at a time: two networks made at once would pick their subnets from the same listing.
      const made = networkCreation.then(() => createNetworkUnlessPresent(name, labels, options));
      networkCreation = made.catch(() => {});
      return made;
    },

    async removeNetwork(name) {
      await ignoreMissing(() => docker.getNetwork(name).remove());
    },

    async listNetworks(labels) {
      const networks = await docker.listNetworks({ filters: { label: labelFilters(labels) } });
      return networks.map((network) => network.Name);
    },

    async listBridgeInterfaces(labels) {
      const networks = await docker.listNetworks({ filters: { label: labelFilters(labels) } });
      return networks
        .filter((network) => network.Driver === 'bridge')
        .map((network) => network.Options?.[bridgeNameOption] ?? `br-${network.Id.slice(0, 12)}`);
    },

    async run(request) {
      let container: Docker.Container;
      try {
        container = await docker.createContainer(createOptions(request));
      } catch (error) {
        // A container of that name is left from an earlier attempt: it is ours to replace.
        if (statusCodeOf(error) !== 409) throw error;
        await remove(request.name);
        container = await docker.createContainer(createOptions(request));
      }
      await container.start();
      const info = await inspect(container.id);
      if (!info) throw new Error(`Container ${request.name} disappeared right after it started`);
      return info;
    },

    async runCommand(request) {
      const container = await docker.createContainer({
        Image: request.image,
        Entrypoint: [...request.command],
        // An app image carries its instance's labels and a container inherits them; blanked, the
        // helper is not taken for one of the instance's containers (which the reconciler removes).
        Labels: {
          ...request.labels,
          [labelKeys.instance]: '',
          [labelKeys.appId]: '',
          [labelKeys.deploymentId]: '',
        },
        HostConfig: { NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
      });
      // Removing the container ends the wait, so the deadline cannot leave it hanging.
      const deadline = setTimeout(() => void remove(container.id), request.timeoutMs);
      try {
        await container.start();
        const { StatusCode } = await container.wait();
        const output = await container.logs({ stdout: true, stderr: true, follow: false });
        return { exitCode: StatusCode, lines: demultiplexLines(output) };
      } finally {
        clearTimeout(deadline);
        await remove(container.id);
      }
    },

    runInstallStep: (request) => runInstallStepWithDocker(docker, request),

    removeVolumes: (labels) => removeVolumesWithDocker(docker, labels),

    async restart(containerId, timeoutSeconds) {
      const restarted = await ignoreMissing(() =>
        docker.getContainer(containerId).restart({ t: timeoutSeconds }),
      );
      return restarted === null ? null : inspect(containerId);
    },

    async stop(containerId, timeoutSeconds) {
      try {
        await docker.getContainer(containerId).stop({ t: timeoutSeconds });
      } catch (error) {
        // 304: already stopped.
        const code = statusCodeOf(error);
        if (code !== 304 && code !== 404) throw error;
      }
    },

    async pause(containerId) {
      try {
        await docker.getContainer(containerId).pause();
      } catch (error) {
        // 409: already paused (or not running, which inspect then tells).
        if (statusCodeOf(error) !== 409) throw error;
      }
    },

    async unpause(containerId) {
      try {
        await docker.getContainer(containerId).unpause();
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
      }
    },

    async start(containerId) {
      try {
        await docker.getContainer(containerId).start();
      } catch (error) {
        // 304: already running; 404: gone.
        const code = statusCodeOf(error);
        if (code === 404) return null;
        if (code !== 304) throw error;
      }
      return inspect(containerId);
    },

    remove,
    inspect,

    async list(labels) {
      const summaries = await docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
      const infos = await Promise.all(summaries.map((summary) => inspect(summary.Id)));
      return infos.filter((info): info is ContainerInfo => info !== null);
    },

    async tailLogs(containerId, lineCount) {
      const output = await ignoreMissing(() =>
        docker.getContainer(containerId).logs({ stdout: true, stderr: true, tail: lineCount, follow: false }),
      );
      return output ? demultiplexLines(output) : [];
    },

    followLogs: (containerId, sinceSeconds, onLine) =>
      followContainerLogs(docker, containerId, sinceSeconds, onLine),

    async watchOomKills(labels, onOomKill): Promise<LogFollower> {
      const stream = await docker.getEvents({
        filters: { type: ['container'], event: ['oom'], label: labelFilters(labels) },
      });
      const splitter = new LineSplitter();
      stream.on('data', (chunk: Buffer) => {
        for (const line of splitter.push(chunk.toString('utf8'))) {
          const event = parseContainerEvent(line);
          if (event?.Action === 'oom') onOomKill(event.Actor.ID);
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
    },

    async memoryPeakMb(containerId) {
      const stats = await ignoreMissing(() => docker.getContainer(containerId).stats({ stream: false }));
      // cgroup v1 reports max_usage; v2 has no peak in the stats (0 or absent).
      const peakBytes = stats?.memory_stats?.max_usage;
      return peakBytes ? Math.round(peakBytes / (1024 * 1024)) : null;
    },

    async stats(containerId) {
      const container = docker.getContainer(containerId);
      const inspected = await ignoreMissing(() => container.inspect());
      if (!inspected?.State.Running || inspected.State.Paused) return null;
      const stats = await ignoreMissing(() => container.stats({ stream: false }));
      return stats ? instanceStatsOf(stats) : null;
    },
  };
}
