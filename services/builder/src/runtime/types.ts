// What the builder needs from a container engine: AppRuntime (running app instances, the contract
// with a conformance suite) and ImageStore (images). Docker implements both today (docker.ts); a
// Swarm or Kubernetes sibling implements the same AppRuntime and passes the same suite.
import type { SubnetPool } from '@cove/shared/network/subnet-pool';

/** Labels every object Cove creates carries, so an instance finds (and cleans up) only its own. */
export const labelKeys = {
  instance: 'cove.instance',
  appId: 'cove.app-id',
  deploymentId: 'cove.deployment-id',
  /**
   * On short-lived helper containers (runCommand) instead of `instance`: the reconciler removes
   * every instance container it did not ask for, and would remove these while they run.
   */
  helperOf: 'cove.helper-of',
  /**
   * On dependency images: the app whose build installed them (app images built on one blank it, as
   * labels are inherited).
   */
  dependenciesOf: 'cove.dependencies-of',
} as const;

export interface BuildImageRequest {
  /** Directory holding the build context, with the Dockerfile at `dockerfile` inside it. */
  contextDir: string;
  dockerfile: string;
  /** Paths (relative to contextDir) left out of the context, e.g. `.git`. */
  excludedPaths: readonly string[];
  tag: string;
  labels: Record<string, string>;
  /** Every line of the builder's output, as it comes. */
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

export type BuildImageResult =
  | { isSuccess: true; imageId: string }
  | { isSuccess: false; errorMessage: string; lines: string[] };

export interface NetworkOptions {
  /** Names the network's bridge on the host (what the app firewall matches). */
  bridgeInterface?: string;
  /** Carve the network's subnet from this pool; else the engine picks one from its defaults. */
  subnets?: SubnetPool;
}

export interface RunContainerRequest {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  network: string;
  /** The port the app listens on inside the container (Docker publishes it on the host's loopback). */
  containerPort: number;
  userId: number;
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  /** Writable in-memory mounts, e.g. { '/tmp': 'size=256m' }; the root filesystem is read-only. */
  tmpfs: Record<string, string>;
  /** Host files bind-mounted read-only, e.g. the app's secrets.toml; the host path must exist. */
  readOnlyFiles?: readonly { hostPath: string; containerPath: string }[];
}

/** A short command in a throw-away container with no network, e.g. asking an image what it has. */
export interface RunCommandRequest {
  image: string;
  /** Replaces the image's entrypoint. */
  command: readonly string[];
  labels: Record<string, string>;
  timeoutMs: number;
}

export interface RunCommandResult {
  exitCode: number;
  /** stdout and stderr, line by line. */
  lines: string[];
}

/**
 * A step of a build that runs code the engine's BuildKit cannot fence (a dependency install: a
 * package built from source runs its own code): an ordinary container on a given network, with
 * limits, whose result is committed as an image when the command succeeds.
 */
export interface InstallStepRequest {
  /** Fixed per deployment and step: a run left by a stopped builder is replaced, not doubled. */
  name: string;
  image: string;
  /** Replaces the image's entrypoint. */
  command: readonly string[];
  /** `uid:gid` the command runs as. */
  user: string;
  workingDir?: string;
  /** Capabilities the command keeps; every other one is dropped. */
  capabilities: readonly string[];
  network: string;
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  /**
   * What the container may write, in MB: its own layer (installed and temporary files) and what its
   * volumes grow by while it runs.
   */
  diskLimitMb: number;
  /** Killed past this, even by the engine alone should the builder be gone by then. */
  timeoutSeconds: number;
  /** Named volumes mounted read-write, created (with the labels) when missing. */
  volumes: readonly { name: string; containerPath: string; labels: Record<string, string> }[];
  /** A host directory copied into the container before it starts, owned by `ownerId`. */
  copyIn?: { hostDirectory: string; containerDirectory: string; ownerId: number };
  labels: Record<string, string>;
  /** On success the container becomes this image, with the source image's own user, entrypoint and
   * working directory (the command's are for the install only) and these labels. */
  commitAs: { repository: string; tag: string; labels: Record<string, string> };
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

export type InstallStepResult =
  | {
      outcome: 'succeeded';
      imageId: string /** A process went past the memory limit, yet the command succeeded. */;
      hadOomKill: boolean;
    }
  | { outcome: 'failed'; exitCode: number; lines: string[] }
  | { outcome: 'out-of-memory'; lines: string[] }
  | { outcome: 'disk-limit'; lines: string[] }
  | { outcome: 'timed-out'; lines: string[] }
  | { outcome: 'stopped' };

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Where an instance's port answers: a host (name or address) and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  state: ContainerState;
  exitCode: number | null;
  isOomKilled: boolean;
  /** The container's memory limit in MB, or null when it has none. */
  memoryLimitMb: number | null;
  /**
   * Where the instance answers while it runs or is frozen, for the proxy and health checks: Docker's
   * port published on the host's loopback; a Swarm task's address on the app's network.
   */
  endpoint: Endpoint | null;
  /**
   * The loopback port Docker publishes the instance on (the same as endpoint's), when running; null
   * on engines that publish none (Swarm). Kept for what reads a single host's port directly.
   */
  hostPort: number | null;
  /** The machine the instance runs on (on one Docker host: its host name; on a cluster: the node's). */
  node: string;
}

/** What an instance uses right now, from the engine's stats. */
export interface InstanceStats {
  /** CPU in use over the engine's last interval, in cores (0.5: half of one core). */
  cpuCores: number;
  /** Memory in use, without the page cache the kernel can drop (as `docker stats` shows it). */
  memoryBytes: number;
  /** The instance's memory limit, or null when it has none. */
  memoryLimitBytes: number | null;
}

export interface LogFollower {
  stop(): void;
  /** Resolves when the container's output ends (it stopped) or stop() was called. */
  readonly ended: Promise<void>;
}

/**
 * Running app instances: the contract an engine implements (Docker today, Swarm next, Kubernetes
 * shaped to follow), proven by the conformance suite (runtime/conformance/suite.ts) that every
 * implementation's test runs. An instance runs from an image with its limits, env, read-only files
 * and network; it can be stopped, frozen, resumed, started again and removed; it is inspected and
 * listed by labels; its output, its memory and its out-of-memory kills can be read.
 */
export interface AppRuntime {
  /** Creates the network unless it exists. */
  ensureNetwork(name: string, labels: Record<string, string>, options?: NetworkOptions): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  listNetworks(labels: Record<string, string>): Promise<string[]>;
  /** Creates and starts an instance; returns it as inspected after the start. */
  run(request: RunContainerRequest): Promise<ContainerInfo>;
  restart(containerId: string, timeoutSeconds: number): Promise<ContainerInfo | null>;
  stop(containerId: string, timeoutSeconds: number): Promise<void>;
  /** Freezes every process of a running instance (no CPU; memory kept). */
  pause(containerId: string): Promise<void>;
  unpause(containerId: string): Promise<void>;
  /** Starts a stopped instance again, as created (its host port may change); returns it inspected. */
  start(containerId: string): Promise<ContainerInfo | null>;
  /** Removes the instance, stopping it if needed; a missing one is not an error. */
  remove(containerId: string): Promise<void>;
  inspect(containerIdOrName: string): Promise<ContainerInfo | null>;
  /** Instances (running or not) carrying all the given labels. */
  list(labels: Record<string, string>): Promise<ContainerInfo[]>;
  /** The last `lineCount` lines the instance printed (stdout and stderr interleaved). */
  tailLogs(containerId: string, lineCount: number): Promise<string[]>;
  /** Follows the instance's output from `sinceSeconds` (Unix time) on, line by line. */
  followLogs(containerId: string, sinceSeconds: number, onLine: (line: string) => void): Promise<LogFollower>;
  /**
   * Reports each time the kernel kills a process of an instance carrying the labels for memory,
   * the main process or only a child (then the instance keeps running), as it happens.
   */
  watchOomKills(
    labels: Record<string, string>,
    onOomKill: (containerId: string) => void,
  ): Promise<LogFollower>;
  /** The most memory the running instance has used so far, in MB; null when the engine cannot say. */
  memoryPeakMb(containerId: string): Promise<number | null>;
  /** CPU and memory the running instance uses now (the engine's one-shot stats); null when it is not running. */
  stats(containerId: string): Promise<InstanceStats | null>;
}

/** Images: built from a context, found by reference or labels, trimmed and removed. */
export interface ImageStore {
  buildImage(request: BuildImageRequest): Promise<BuildImageResult>;
  /**
   * Trims the engine's build cache (step results, cache mounts) to at most `keepStorageBytes`, the
   * least recently used first; returns what it freed.
   */
  pruneBuildCache(keepStorageBytes: number): Promise<{ reclaimedBytes: number }>;
  removeImage(tag: string): Promise<void>;
  /** The image's id (its content digest), or null when there is no such image. */
  imageId(reference: string): Promise<string | null>;
  /** The image's id and labels, or null when there is no such image. */
  inspectImage(reference: string): Promise<{ id: string; labels: Record<string, string> } | null>;
  listImages(labels: Record<string, string>): Promise<string[]>;
  /** Like listImages, with each image's labels (e.g. to tell which app an image was built for). */
  listImagesWithLabels(
    labels: Record<string, string>,
  ): Promise<{ id: string; labels: Record<string, string> }[]>;
}

/** The single-host engine: both of the above, and what only a host of its own can do. */
export interface ContainerRuntime extends AppRuntime, ImageStore {
  /** The host interfaces of the bridge networks carrying all the labels (what a firewall matches). */
  listBridgeInterfaces(labels: Record<string, string>): Promise<string[]>;
  /** Runs a command to completion and removes its container. */
  runCommand(request: RunCommandRequest): Promise<RunCommandResult>;
  /**
   * Runs a build's install step (code of the app's choosing) in a container of its own, fenced and
   * limited, to completion; commits it as an image on success; removes its container.
   */
  runInstallStep(request: InstallStepRequest): Promise<InstallStepResult>;
  /** Removes the volumes carrying all the labels (none in use); returns their names. */
  removeVolumes(labels: Record<string, string>): Promise<string[]>;
}
