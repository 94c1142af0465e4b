// The cluster lab itself (infra/cluster/lab.sh), on the lab global-setup.ts started: a swarm of three
// Ready nodes, an overlay network between a container on the manager and a service on a worker
// whose image comes from the lab's registry, a registry that refuses anyone but the nodes, and app
// containers that reach the internet but nothing of the lab or the host. That `down` leaves nothing
// behind is checked by the global set-up's teardown.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const cluster = inject('cluster');

function key(name: string): string {
  const value = cluster[name];
  if (value === undefined || value === '') throw new Error(`the lab's env has no ${name}`);
  return value;
}

const nodeNames = key('COVE_CLUSTER_NODES').split(',');
const nodeAddresses = key('COVE_CLUSTER_NODE_ADDRESSES').split(',');
const nodeSockets = key('COVE_CLUSTER_NODE_DOCKER_HOSTS').split(',');
const nodeNamespaces = key('COVE_CLUSTER_NODE_NAMESPACES').split(',');
const registry = key('COVE_CLUSTER_REGISTRY');
const image = key('COVE_CLUSTER_RUNTIME_IMAGE');
const hostAddress = key('COVE_CLUSTER_HOST_ADDRESS');
const suffix = randomBytes(3).toString('hex');
const network = `labtest-${suffix}`;
const webService = `labtest-web-${suffix}`;

/** The docker CLI against one node's engine (0 = the manager), with the lab's registry login. */
async function docker(node: number, args: string[], timeout = 120_000): Promise<string> {
  const { stdout } = await run('docker', ['-H', nodeSockets[node] ?? '', ...args], {
    env: { ...process.env, DOCKER_CONFIG: key('COVE_CLUSTER_DOCKER_CONFIG') },
    timeout,
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout.trim();
}

// Run in an app container: tries each host:port (3 s each) and fetches PyPI; prints JSON.
const probe = `
import concurrent.futures, json, socket, sys, urllib.request
def attempt(target):
    host, port = target.rsplit(':', 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
        return 'open'
    except socket.timeout:
        return 'timeout'
    except ConnectionRefusedError:
        return 'refused'
    except Exception as error:
        return 'failed: ' + type(error).__name__
def pypi():
    try:
        return urllib.request.urlopen('https://pypi.org/simple/pip/', timeout=20).status
    except Exception as error:
        return 'failed: ' + repr(error)
with concurrent.futures.ThreadPoolExecutor(len(sys.argv)) as pool:
    tried = {target: pool.submit(attempt, target) for target in sys.argv[1:]}
    index = pool.submit(pypi)
    result = {target: future.result() for target, future in tried.items()}
    result['pypi'] = index.result()
print(json.dumps(result))
`;

/** Runs the probe in a throw-away container on a node (or on this host's own engine). */
async function probeFrom(
  where: { node: number } | { hostEngine: true },
  networkName: string,
  targets: string[],
): Promise<Record<string, string | number>> {
  const args = ['run', '--rm', '--network', networkName, '--entrypoint', 'python3'];
  const output =
    'node' in where
      ? await docker(where.node, [...args, image, '-c', probe, ...targets])
      : (
          await run(
            'docker',
            [
              ...args,
              // A helper's label: a platform's reconciler removes instance containers it did not start.
              '--label',
              `cove.helper-of=${process.env.COVE_INSTANCE ?? 'local'}`,
              process.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev',
              '-c',
              probe,
              ...targets,
            ],
            { timeout: 120_000 },
          )
        ).stdout.trim();
  return JSON.parse(output.split('\n').at(-1) ?? '{}') as Record<string, string | number>;
}

function inSubnet(address: string, cidr: string): boolean {
  const toNumber = (dotted: string) => dotted.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return net.isIPv4(address) && Math.floor(toNumber(address) / size) === Math.floor(toNumber(base) / size);
}

/** From inside a node's namespace (the node itself, not a container): open, refused or timeout. */
async function tcpFromNode(namespace: string, target: string): Promise<string> {
  const [host, port] = target.split(':');
  const attempt = `exec 3<>/dev/tcp/${host}/${port}`;
  return run('nsenter', [`--net=/var/run/netns/${namespace}`, 'timeout', '3', 'bash', '-c', attempt]).then(
    () => 'open',
    (error: { code?: number }) => (error.code === 124 ? 'timeout' : 'refused'),
  );
}

// A listener of this host on the lab's bridge address (not the registry's port): nothing in the
// lab may reach it.
let hostListener: net.Server;
let hostListenerPort = 0;

beforeAll(async () => {
  hostListener = net.createServer((socket) => socket.end('host service\n'));
  await new Promise<void>((resolve) => hostListener.listen(0, hostAddress, resolve));
  hostListenerPort = (hostListener.address() as net.AddressInfo).port;
  await docker(0, ['network', 'create', '--driver', 'overlay', '--attachable', network]);
});

afterAll(async () => {
  hostListener?.close();
  await docker(0, ['service', 'rm', webService]).catch(() => undefined);
  // The service's task leaves the network a moment after the service is removed.
  for (let attempt = 0; attempt < 40; attempt++) {
    if (
      await docker(0, ['network', 'rm', network]).then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});

describe('the cluster lab', () => {
  it('has a manager and two workers, all Ready', async () => {
    const nodes = (
      await docker(0, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'])
    )
      .split('\n')
      .map((line) => line.trim())
      .sort();
    expect(nodes).toEqual(
      [`${nodeNames[0]} Ready Leader`, `${nodeNames[1]} Ready `, `${nodeNames[2]} Ready `]
        .map((line) => line.trim())
        .sort(),
    );
  });

  it('has engines that start every container with no-new-privileges', async () => {
    const flags = await Promise.all(
      [0, 1, 2].map((node) =>
        docker(node, ['run', '--rm', '--entrypoint', 'grep', image, 'NoNewPrivs', '/proc/self/status']),
      ),
    );
    expect(flags.map((flag) => flag.replace(/\s+/g, ' '))).toEqual([
      'NoNewPrivs: 1',
      'NoNewPrivs: 1',
      'NoNewPrivs: 1',
    ]);
  });

  it("runs a service from the lab's registry on a worker, reached over the overlay from the manager", async () => {
    const token = randomBytes(8).toString('hex');
    await docker(
      0,
      [
        'service',
        'create',
        '--detach=false',
        '--quiet',
        '--with-registry-auth',
        '--name',
        webService,
        '--network',
        network,
        '--endpoint-mode',
        'dnsrr',
        '--constraint',
        `node.hostname==${nodeNames[1]}`,
        '--entrypoint',
        'sh',
        image,
        '-c',
        `mkdir -p /tmp/site && echo ${token} >/tmp/site/index.html && cd /tmp/site && exec python3 -m http.server 8000`,
      ],
      150_000,
    );
    const tasks = await docker(0, [
      'service',
      'ps',
      webService,
      '--filter',
      'desired-state=running',
      '--format',
      '{{.Node}} {{.CurrentState}}',
    ]);
    expect(tasks).toMatch(new RegExp(`^${nodeNames[1]} Running`));
    // The worker pulled it from the lab's registry, by digest.
    expect(image.startsWith(`${registry}/`) && image.includes('@sha256:')).toBe(true);
    const digests = await docker(1, ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
    expect(JSON.parse(digests)).toContain(image);

    // A container on the manager, on the same overlay network, fetches the page from the worker.
    const fetched = await docker(0, [
      'run',
      '--rm',
      '--network',
      network,
      '--entrypoint',
      'python3',
      image,
      '-c',
      [
        'import socket, time, urllib.request',
        `for _ in range(30):`,
        `    try: address = socket.gethostbyname('tasks.${webService}'); print(address); print(urllib.request.urlopen('http://' + address + ':8000/', timeout=5).read().decode().strip()); break`,
        `    except OSError: time.sleep(0.5)`,
      ].join('\n'),
    ]);
    const [address, body] = fetched.split('\n');
    expect(body).toBe(token);
    // The address is the task's on the overlay (in the swarm's pool), not one of the nodes'.
    expect(inSubnet(address ?? '', key('COVE_CLUSTER_ADDR_POOL')), `${address} in the swarm's pool`).toBe(
      true,
    );
  });

  it("has a registry that refuses requests without the lab's credentials", async () => {
    const base = `http://${registry}/v2`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/_catalog`)).status).toBe(401);
    const wrong = Buffer.from(`${key('COVE_CLUSTER_REGISTRY_USER')}:not-the-password`).toString('base64');
    expect((await fetch(`${base}/_catalog`, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(
      401,
    );
    const right = Buffer.from(
      `${key('COVE_CLUSTER_REGISTRY_USER')}:${key('COVE_CLUSTER_REGISTRY_PASSWORD')}`,
    ).toString('base64');
    const catalog = await fetch(`${base}/_catalog`, { headers: { authorization: `Basic ${right}` } });
    expect(catalog.status).toBe(200);
    expect(((await catalog.json()) as { repositories: string[] }).repositories).toContain('cove/runtime');
  });

  it('lets each node itself reach the registry and the other nodes, and nothing else of this host', async () => {
    for (const [index, namespace] of nodeNamespaces.entries()) {
      expect(await tcpFromNode(namespace, registry), `registry from ${namespace}`).toBe('open');
      const other = nodeAddresses[(index + 1) % nodeAddresses.length];
      expect(await tcpFromNode(namespace, `${other}:7946`), `${other}:7946 from ${namespace}`).toBe('open');
      expect(
        await tcpFromNode(namespace, `${hostAddress}:${hostListenerPort}`),
        `host listener from ${namespace}`,
      ).toBe('timeout');
    }
    // The listener does answer (from this host): the timeouts above are the firewall's.
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(hostListenerPort, hostAddress);
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toBe('host service\n');
  });

  it('keeps app containers on every node away from the registry, the nodes and the host, not from the internet', async () => {
    const targets = [
      registry,
      `${hostAddress}:${hostListenerPort}`,
      // Every node's gossip port, open to the other nodes (the test above).
      ...nodeAddresses.map((address) => `${address}:7946`),
    ];
    // A container on a worker's own bridge network, and one on the overlay network.
    const places = [
      [2, 'bridge'],
      [1, network],
      [0, network],
    ] as const;
    const results = await Promise.all(
      places.map(([node, networkName]) => probeFrom({ node }, networkName, targets)),
    );
    for (const [index, [node, networkName]] of places.entries()) {
      const result = results[index] ?? {};
      for (const target of targets)
        expect(result[target], `${target} from node ${node} on ${networkName}`).toBe('timeout');
      expect(result.pypi, `PyPI from node ${node} on ${networkName}`).toBe(200);
    }
  });

  it("keeps this host's own containers away from the registry and the nodes", async () => {
    const result = await probeFrom({ hostEngine: true }, 'bridge', [registry, `${nodeAddresses[1]}:7946`]);
    expect(result[registry]).toBe('timeout');
    expect(result[`${nodeAddresses[1]}:7946`]).toBe('timeout');
  });
});
