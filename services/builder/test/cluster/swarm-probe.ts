// Reaching Swarm tasks by their overlay addresses from the test's process, which is on no overlay
// network: a probe container on the manager (fixtures/swarm-probe/probe.py) joins the network that
// holds the address asked for and forwards the request; it publishes its port on the manager's
// address, which the host reaches over the lab's bridge. A proxy replica on the cluster reaches the
// tasks the same way, by being on their networks.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import type { Endpoint } from '../../src/runtime/types';

const probeScript = fileURLToPath(new URL('./fixtures/swarm-probe/probe.py', import.meta.url));
const probePort = 8600;

function toNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function contains(cidr: string, address: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toNumber(base) - (toNumber(base) % size);
  return toNumber(address) >= start && toNumber(address) < start + size;
}

export interface SwarmProbe {
  fetch(endpoint: Endpoint, urlPath: string, timeoutMs: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startSwarmProbe(
  managerSocket: string,
  managerAddress: string,
  image: string,
): Promise<SwarmProbe> {
  const docker = new Docker({ socketPath: managerSocket.replace(/^unix:\/\//, '') });
  const container = await docker.createContainer({
    name: `cove-swarm-probe-${randomBytes(3).toString('hex')}`,
    Image: image,
    Entrypoint: ['python3', '/srv/probe.py'],
    Labels: { 'cove.helper-of': 'swarm-runtime-test' },
    ExposedPorts: { [`${probePort}/tcp`]: {} },
    HostConfig: {
      Binds: [`${probeScript}:/srv/probe.py:ro`],
      PortBindings: { [`${probePort}/tcp`]: [{ HostIp: managerAddress, HostPort: '' }] },
    },
  });
  await container.start();
  const inspected = await container.inspect();
  const published = inspected.NetworkSettings.Ports[`${probePort}/tcp`]?.[0]?.HostPort;
  if (!published) throw new Error('the probe published no port');
  const joined = new Set<string>();

  async function join(address: string): Promise<void> {
    const networks = await docker.listNetworks({ filters: { driver: ['overlay'] } });
    const network = networks.find((each) =>
      (each.IPAM?.Config ?? []).some((config) => config.Subnet && contains(config.Subnet, address)),
    );
    if (!network || joined.has(network.Id)) return;
    await docker.getNetwork(network.Id).connect({ Container: container.id });
    joined.add(network.Id);
  }

  return {
    async fetch(endpoint, urlPath, timeoutMs) {
      await join(endpoint.host);
      const response = await fetch(
        `http://${managerAddress}:${published}/${endpoint.host}/${endpoint.port}${urlPath}`,
        {
          headers: { 'X-Timeout-Seconds': String(timeoutMs / 1000) },
          signal: AbortSignal.timeout(timeoutMs + 2000),
        },
      );
      const body = await response.text();
      if (response.status === 502) throw new Error(body);
      return body;
    },
    async stop() {
      await container.remove({ force: true });
    },
  };
}
