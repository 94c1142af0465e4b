// The reference side of the wake benchmark: a plain container made from the same image and the same
// container config as Cove's container of the app (read back from the engine), published on a fixed
// loopback port, then paused/unpaused and stopped/started with bare engine calls, nothing around.
import { z } from 'zod';
import type { Engine } from './engine';

/** The parts of `GET /containers/{id}/json` a copy needs. */
export const inspectedContainer = z.object({
  Id: z.string(),
  State: z.object({ Status: z.string() }),
  Config: z.object({
    Image: z.string(),
    Env: z.array(z.string()).nullable(),
    User: z.string(),
    Cmd: z.array(z.string()).nullable(),
    Entrypoint: z.array(z.string()).nullable(),
    WorkingDir: z.string(),
    ExposedPorts: z.record(z.string(), z.object({})).nullable(),
    Labels: z.record(z.string(), z.string()).nullable(),
  }),
  HostConfig: z.record(z.string(), z.unknown()),
});
export type InspectedContainer = z.infer<typeof inspectedContainer>;

/** HostConfig fields that make the container what it is: limits, isolation, mounts, network. */
const copiedHostConfig = [
  'NetworkMode',
  'ReadonlyRootfs',
  'Tmpfs',
  'Mounts',
  'Binds',
  'CapDrop',
  'SecurityOpt',
  'Memory',
  'MemorySwap',
  'NanoCpus',
  'PidsLimit',
  'ShmSize',
  'LogConfig',
] as const;

/**
 * A container inherits its image's labels, and Cove's images carry its instance and app: the
 * reconciler would remove a container of its instance it did not make. Emptied, they name nothing.
 */
function neutralizedCoveLabels(inspected: InspectedContainer): Record<string, string> {
  const keys = Object.keys(inspected.Config.Labels ?? {}).filter((key) => key.startsWith('cove.'));
  return Object.fromEntries(keys.map((key) => [key, '']));
}

/** The create body of the reference: Cove's config, its own labels, a fixed host port. */
export function referenceCreateBody(
  inspected: InspectedContainer,
  options: { containerPort: number; hostPort: number; labels: Record<string, string> },
): Record<string, unknown> {
  const hostConfig: Record<string, unknown> = {};
  for (const key of copiedHostConfig) {
    const value = inspected.HostConfig[key];
    if (value !== undefined && value !== null) hostConfig[key] = value;
  }
  const port = `${options.containerPort}/tcp`;
  return {
    Image: inspected.Config.Image,
    Env: inspected.Config.Env ?? [],
    User: inspected.Config.User,
    Cmd: inspected.Config.Cmd,
    Entrypoint: inspected.Config.Entrypoint,
    WorkingDir: inspected.Config.WorkingDir,
    ExposedPorts: { [port]: {} },
    Labels: { ...neutralizedCoveLabels(inspected), ...options.labels },
    HostConfig: {
      ...hostConfig,
      PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: String(options.hostPort) }] },
      RestartPolicy: { Name: 'no' },
    },
  };
}

export interface ReferenceContainer {
  id: string;
  hostPort: number;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  state(): Promise<string>;
  /** The last lines it printed, for an error message when it does not answer. */
  tailLogs(): Promise<string>;
  remove(): Promise<void>;
}

export async function inspect(engine: Engine, containerId: string): Promise<InspectedContainer> {
  const response = await engine.expectOk('GET', `/containers/${containerId}/json`);
  return inspectedContainer.parse(JSON.parse(response.body));
}

/** Seconds a stopping Streamlit gets before it is killed, as Cove's sleep gives it. */
const stopGraceSeconds = 5;

export async function createReference(
  engine: Engine,
  options: {
    coveContainerId: string;
    name: string;
    containerPort: number;
    hostPort: number;
    labels: Record<string, string>;
  },
): Promise<ReferenceContainer> {
  const body = referenceCreateBody(await inspect(engine, options.coveContainerId), options);
  const created = await engine.expectOk('POST', `/containers/create?name=${options.name}`, body);
  const id = z.object({ Id: z.string() }).parse(JSON.parse(created.body)).Id;
  const path = `/containers/${id}`;
  return {
    id,
    hostPort: options.hostPort,
    pause: async () => void (await engine.expectOk('POST', `${path}/pause`)),
    unpause: async () => void (await engine.expectOk('POST', `${path}/unpause`)),
    stop: async () => void (await engine.expectOk('POST', `${path}/stop?t=${stopGraceSeconds}`)),
    start: async () => void (await engine.expectOk('POST', `${path}/start`)),
    state: async () => (await inspect(engine, id)).State.Status,
    tailLogs: async () => {
      const response = await engine.call('GET', `${path}/logs?stdout=1&stderr=1&tail=30`);
      // Each line comes behind an 8-byte stream header; only printable text matters here.
      return [...response.body]
        .filter((char) => char >= ' ' || char === '\n')
        .join('')
        .trim();
    },
    remove: async () => {
      const response = await engine.call('DELETE', `${path}?force=true`);
      if (response.statusCode !== 404 && response.statusCode >= 300) {
        throw new Error(`could not remove the reference container: ${response.body.trim()}`);
      }
    },
  };
}
