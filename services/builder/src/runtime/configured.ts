// The runtime the configuration chooses (COVE_RUNTIME): apps on the engine of COVE_DOCKER_SOCKET, or
// as services of a Docker Swarm. Images are built (and dependency installs run) on
// COVE_DOCKER_SOCKET's engine either way; on a swarm that engine pushes them to its registry.
import type { BuilderConfig } from '@cove/shared/config/schemas';
import { createDockerRuntime } from './docker';
import { createSwarmRuntime } from './swarm';
import type { ContainerRuntime } from './types';

export function createConfiguredRuntime(config: BuilderConfig): ContainerRuntime {
  const docker = createDockerRuntime(config.COVE_DOCKER_SOCKET);
  if (config.COVE_RUNTIME === 'docker') return docker;
  // The schema refuses COVE_RUNTIME=swarm without these; checked again for the type's sake.
  const managerSocket = config.COVE_SWARM_MANAGER_SOCKET;
  const registry = config.COVE_SWARM_REGISTRY;
  if (managerSocket === undefined || registry === undefined) {
    throw new Error('COVE_RUNTIME=swarm needs COVE_SWARM_MANAGER_SOCKET and COVE_SWARM_REGISTRY');
  }
  const swarm = createSwarmRuntime({
    managerSocket,
    nodeSockets: config.COVE_SWARM_NODE_SOCKETS,
    buildSocket: config.COVE_DOCKER_SOCKET,
    registry: {
      address: registry,
      username: config.COVE_SWARM_REGISTRY_USER,
      password: config.COVE_SWARM_REGISTRY_PASSWORD,
    },
    cpuReservationRatio: config.COVE_SWARM_CPU_RESERVATION,
    startTimeoutMs: config.COVE_SWARM_START_TIMEOUT_SECONDS * 1000,
  });
  // Instances are Swarm's; images, builds, install steps and volumes stay the build engine's.
  return { ...docker, ...swarm };
}
