// The cluster project's lab (infra/cluster/global-setup.ts starts it for the whole project, and
// fails the run when it cannot), as the Swarm runtime's tests use it: its sockets, registry and
// nodes, and a node's engine stopped and started again (lab.sh node-stop / node-start).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

declare module 'vitest' {
  // What infra/cluster/global-setup.ts provides: the lab's keys (lab.sh env).
  export interface ProvidedContext {
    cluster: Record<string, string>;
  }
}

const run = promisify(execFile);
const labScript = fileURLToPath(new URL('../../../../infra/cluster/lab.sh', import.meta.url));

export interface ClusterLab {
  managerSocket: string;
  nodeSockets: string[];
  /** Host names of the nodes (the Swarm's), the manager first. */
  nodes: string[];
  managerAddress: string;
  registry: { address: string; username: string; password: string };
  stopNode(hostName: string): Promise<void>;
  startNode(hostName: string): Promise<void>;
}

export function clusterLab(): ClusterLab {
  const cluster = inject('cluster');
  const need = (key: string): string => {
    const value = cluster[key];
    if (!value) throw new Error(`the cluster lab's env has no ${key} (infra/cluster/lab.sh env)`);
    return value;
  };
  const name = need('COVE_CLUSTER_NAME');
  const env = { ...process.env, COVE_CLUSTER_NAME: name, COVE_CLUSTER_SUBNET: need('COVE_CLUSTER_SUBNET') };
  const node = async (command: string, hostName: string) => {
    await run(labScript, [command, hostName.replace(new RegExp(`^${name}-`), '')], { env, timeout: 180_000 });
  };
  return {
    managerSocket: need('COVE_CLUSTER_DOCKER_HOST'),
    nodeSockets: need('COVE_CLUSTER_NODE_DOCKER_HOSTS').split(','),
    nodes: need('COVE_CLUSTER_NODES').split(','),
    managerAddress: need('COVE_CLUSTER_NODE_ADDRESSES').split(',')[0] ?? '',
    registry: {
      address: need('COVE_CLUSTER_REGISTRY'),
      username: need('COVE_CLUSTER_REGISTRY_USER'),
      password: need('COVE_CLUSTER_REGISTRY_PASSWORD'),
    },
    stopNode: (hostName) => node('node-stop', hostName),
    startNode: (hostName) => node('node-start', hostName),
  };
}
