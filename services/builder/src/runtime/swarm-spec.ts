// The Swarm service an app instance runs as, from the runtime contract's request: one replica in
// endpoint mode dnsrr (no virtual IP: the proxy reaches the task's address), its limits and
// reservations, read-only root, every capability dropped, on the app's overlay network.

import { containerPortLabel } from './swarm-model';
import type { RunContainerRequest } from './types';

export interface MountedSecret {
  id: string;
  name: string;
  containerPath: string;
}

export interface TmpfsMount {
  Type: 'tmpfs';
  Source: string;
  Target: string;
  TmpfsOptions: { SizeBytes: number; Mode: number };
}

const sizeUnits: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Docker's tmpfs options (`rw,nosuid,nodev,size=256m,uid=10001,mode=0700`) as a Swarm tmpfs mount,
 * which takes a size and a mode only (the engine's API before 1.46 has no owner): a mount meant for
 * a user other than root becomes writable by every user, with the sticky bit, as /tmp is.
 */
export function tmpfsMount(target: string, options: string): TmpfsMount {
  const settings = new Map(
    options.split(',').map((option) => {
      const [key = '', value = ''] = option.split('=');
      return [key.trim(), value.trim()] as const;
    }),
  );
  // Docker's defaults when the options do not say: 64 MB, and the mode of /tmp.
  const tmpfsOptions: TmpfsMount['TmpfsOptions'] = { SizeBytes: 64 * 1024 ** 2, Mode: 0o1777 };
  const size = /^(\d+)([kmg]?)$/i.exec(settings.get('size') ?? '');
  if (size) tmpfsOptions.SizeBytes = Number(size[1]) * (sizeUnits[(size[2] ?? '').toLowerCase()] ?? 1);
  const mode = settings.get('mode');
  if (mode && /^[0-7]{3,4}$/.test(mode)) tmpfsOptions.Mode = Number.parseInt(mode, 8);
  const uid = settings.get('uid');
  if (uid !== undefined && uid !== '' && uid !== '0') tmpfsOptions.Mode = 0o1777;
  return { Type: 'tmpfs', Source: '', Target: target, TmpfsOptions: tmpfsOptions };
}

export interface ServiceSpecOptions {
  /** The image to run, by digest in the cluster's registry. */
  image: string;
  secrets: readonly MountedSecret[];
  /** Of the CPU limit, the share Swarm reserves on the node it places the instance on. */
  cpuReservationRatio: number;
  stopGracePeriodSeconds: number;
}

/** The body of a service create (Docker Engine API 1.41). */
export function serviceSpec(request: RunContainerRequest, options: ServiceSpecOptions) {
  const labels = { ...request.labels, [containerPortLabel]: String(request.containerPort) };
  const memoryBytes = request.memoryMb * 1024 * 1024;
  const nanoCpus = Math.round(request.cpus * 1e9);
  return {
    Name: request.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image,
        Labels: request.labels,
        Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
        User: `${request.userId}:${request.userId}`,
        ReadOnly: true,
        CapabilityDrop: ['ALL'],
        Mounts: Object.entries(request.tmpfs).map(([target, tmpfs]) => tmpfsMount(target, tmpfs)),
        Secrets: options.secrets.map((secret) => ({
          SecretID: secret.id,
          SecretName: secret.name,
          File: { Name: secret.containerPath, UID: '0', GID: '0', Mode: 0o444 },
        })),
        StopGracePeriod: options.stopGracePeriodSeconds * 1e9,
      },
      Resources: {
        Limits: { MemoryBytes: memoryBytes, NanoCPUs: nanoCpus, Pids: request.pidsLimit },
        // Swarm places the instance only on a node with this much left unreserved.
        Reservations: {
          MemoryBytes: memoryBytes,
          NanoCPUs: Math.round(nanoCpus * options.cpuReservationRatio),
        },
      },
      // Like Docker's 'no': the engine never restarts an instance by itself; Cove's reconciler
      // converges (with its crash back-off), and one whose node is lost reads 'dead' to it.
      RestartPolicy: { Condition: 'none' },
      Networks: [{ Target: request.network }],
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '2' } },
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
