// A hostile tenant among neighbours (more app networks than Docker's default address pools hold,
// each from Cove's own range): the hostile app, deployed the normal way, tries every way out
// of its container (the host's Postgres, Redis and platform ports through its gateway and the host's
// addresses, a listener on 0.0.0.0, a private and a link-local address behind the host, the
// neighbours' containers, the Docker socket, writing the image, raising privileges, a fork bomb,
// filling its disks) and prints a verdict per attempt; none may get through, and the neighbours keep
// serving throughout. The app firewall (src/network/) is what stops the listener and the addresses.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import { cidrsOverlap, parseCidr } from '@cove/shared/network/ipv4';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import {
  type AppFixture,
  type BuilderWorld,
  builderConfig,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';
import {
  canConnect,
  probeFromPlainContainer,
  startHostListener,
  startNamespaceListener,
  type Target,
} from './network-fixtures';

const run = promisify(execFile);

let context: TestContext;
let git: GitServer;

let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, git } = world);
});

afterAll(() => stopBuilderWorld(world));

const verdictPrefix = 'COVE-VERDICT ';
const verdictSchema = z.object({ attempt: z.string(), reached: z.boolean(), detail: z.string() });
type Verdict = z.infer<typeof verdictSchema>;

async function deploy(app: AppFixture) {
  const queues = openJobQueues(context.redis, context.instance);
  try {
    const deploymentId = await insertDeployment(context, app);
    await queues.enqueueBuild({ deploymentId });
    const deployment = await waitForFinished(context, deploymentId);
    expect(deployment.errorMessage).toBeNull();
    expect(deployment.status).toBe('running');
    return { deploymentId, hostPort: deployment.hostPort ?? 0 };
  } finally {
    await queues.close();
  }
}

/** The neighbour's address on its own network, as another tenant would have to guess it. */
async function containerIp(deploymentId: string): Promise<string> {
  const [container] = await containersOf(context.instance, deploymentId);
  if (!container) throw new Error(`no container for deployment ${deploymentId}`);
  const { stdout } = await run('docker', [
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
    container.id,
  ]);
  const address = stdout.trim().split(' ')[0];
  if (!address) throw new Error(`container ${container.id} has no address`);
  return address;
}

/** An address for `name` as the app's own resolver (Docker's embedded DNS) answers it. */
async function resolveInside(deploymentId: string, name: string): Promise<string> {
  const [container] = await containersOf(context.instance, deploymentId);
  if (!container) throw new Error(`no container for deployment ${deploymentId}`);
  const script = `import socket, sys; print(socket.getaddrinfo(sys.argv[1], 443, socket.AF_INET)[0][4][0])`;
  const { stdout } = await run('docker', ['exec', container.id, 'python3', '-c', script, name]);
  return stdout.trim();
}

/**
 * Every IPv4 address of this machine but loopback: how else a container might name the host. A
 * cluster lab's bridge (`cxl…`, infra/cluster/lab.sh) is left out: the lab's own firewall refuses
 * every container of this host there, the control container too, and lab.test.ts proves it.
 */
function hostAddresses(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => !name.startsWith('cxl'))
    .flatMap(([, addresses]) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address);
}

function portOf(url: string): number {
  return Number.parseInt(new URL(url).port, 10);
}

async function hostileFiles(targets: unknown): Promise<Record<string, string>> {
  const hostile = await readFile(new URL('./fixtures/hostile/hostile.py', import.meta.url), 'utf8');
  return {
    'app.py': 'import streamlit as st\n\nimport hostile  # noqa: F401\n\nst.title("Nothing to see here")\n',
    'hostile.py': hostile,
    'targets.json': JSON.stringify(targets),
    // Runs the script without a browser session, so the attempts start when the test asks.
    '.streamlit/config.toml': '[server]\nscriptHealthCheckEnabled = true\n',
  };
}

async function readVerdicts(deploymentId: string): Promise<Verdict[] | undefined> {
  const lines = (await readLogLines(context.db, deploymentId, 'runtime')).map((line) => line.line);
  if (!lines.some((line) => line.includes('COVE-VERDICT-DONE'))) return undefined;
  return lines
    .filter((line) => line.startsWith(verdictPrefix))
    .map((line) => verdictSchema.parse(JSON.parse(line.slice(verdictPrefix.length))));
}

/**
 * Targets the firewall must hide: a listener on all of the host's addresses, and a private and a
 * link-local address behind the host. Checked reachable from the host and from a container outside
 * Cove, so the hostile app failing to reach them shows the firewall at work, not a routing quirk.
 */
async function firewalledTargets() {
  const listener = await startHostListener();
  onTestFinished(() => listener.close());
  const namespace = await startNamespaceListener();
  onTestFinished(() => namespace.close());
  const behindHost: Target[] = [
    { label: 'private address behind the host', host: namespace.privateAddress, port: namespace.port },
    { label: 'link-local address behind the host', host: namespace.linkLocalAddress, port: namespace.port },
  ];
  const onHost: Target[] = [
    { label: 'listener via gateway', host: 'GATEWAY', port: listener.port },
    ...hostAddresses().map((host, index) => ({
      label: `listener via host-address-${index}`,
      host,
      port: listener.port,
    })),
  ];
  for (const target of [...behindHost, ...onHost.slice(1)]) {
    expect(await canConnect(target.host, target.port), `${target.label} from the host`).toBe(true);
  }
  const fromPlainContainer = await probeFromPlainContainer(builderConfig(context).COVE_RUNTIME_IMAGE, [
    ...behindHost,
    ...onHost,
  ]);
  for (const target of [...behindHost, ...onHost]) {
    expect(fromPlainContainer.get(target.label), `${target.label} from a container outside Cove`).toBe(true);
  }
  return { listenerPort: listener.port, behindHost };
}

/**
 * More app networks than Docker's default address pools hold (15 /16s and 16 /20s: 31), each app
 * in a workspace of its own: every one must get a subnet of Cove's own range and run.
 */
const neighbourCount = 33;

async function subnetOf(deploymentId: string): Promise<string> {
  const [container] = await containersOf(context.instance, deploymentId);
  if (!container) throw new Error(`no container for deployment ${deploymentId}`);
  const { stdout } = await run('docker', [
    'network',
    'inspect',
    '--format',
    '{{range .IPAM.Config}}{{.Subnet}}{{end}}',
    `cove-${context.instance}-app-${container.labels['cove.app-id']}`,
  ]);
  return stdout.trim();
}

test('a hostile app among more neighbours than Docker has address pools for cannot get out of its container, and they all keep serving', async () => {
  const firewalled = await firewalledTargets();
  await git.createRepo('neighbour', { 'app.py': 'import streamlit as st\n\nst.title("Neighbour")\n' });
  const neighbourApps = await Promise.all(
    Array.from({ length: neighbourCount }, (_, index) =>
      insertApp(context, { name: `neighbour-${index}`, repoUrl: git.repoUrl('neighbour') }),
    ),
  );
  const neighbours = await Promise.all(neighbourApps.map(deploy));
  for (const neighbour of neighbours) expect(await health(neighbour.hostPort)).toBe('ok');
  const subnets = await Promise.all(neighbours.map((neighbour) => subnetOf(neighbour.deploymentId)));
  expect(new Set(subnets).size).toBe(neighbourCount);
  const pool = parseCidr(builderConfig(context).COVE_APP_SUBNETS);
  for (const subnet of subnets) {
    expect(subnet).toMatch(/\/28$/);
    expect(cidrsOverlap(parseCidr(subnet), pool), `${subnet} inside Cove's range`).toBe(true);
  }
  const [neighbour] = neighbours;
  if (!neighbour) throw new Error('no neighbour deployed');

  const hostPorts = {
    postgres: portOf(context.databaseUrl),
    redis: portOf(context.redisUrl),
    proxy: Number.parseInt(process.env.COVE_PROXY_PORT ?? '4080', 10),
    dashboard: Number.parseInt(process.env.COVE_DASHBOARD_PORT ?? '4100', 10),
    git: portOf(git.baseUrl),
    'neighbour published port': neighbour.hostPort,
    'test listener on 0.0.0.0': firewalled.listenerPort,
  };
  const targets = {
    hostPorts,
    hostAddresses: hostAddresses(),
    neighbourIps: await Promise.all(neighbours.map((each) => containerIp(each.deploymentId))),
    otherTargets: firewalled.behindHost,
  };
  await git.createRepo('hostile', await hostileFiles(targets));
  const hostileApp = await insertApp(context, { name: 'hostile', repoUrl: git.repoUrl('hostile') });
  const hostile = await deploy(hostileApp);

  const scriptHealth = await fetch(`http://127.0.0.1:${hostile.hostPort}/_stcore/script-health-check`, {
    signal: AbortSignal.timeout(30_000),
  });
  expect(scriptHealth.status).toBe(200);
  const verdicts = await waitFor(() => readVerdicts(hostile.deploymentId), {
    timeoutMs: 120_000,
    intervalMs: 500,
    description: "the hostile app's verdicts",
  });

  const attempts = verdicts.map((verdict) => verdict.attempt);
  for (const service of Object.keys(hostPorts)) {
    expect(attempts).toContain(`${service} via gateway`);
    expect(attempts).toContain(`${service} via host.docker.internal`);
    targets.hostAddresses.forEach((_, index) => {
      expect(attempts).toContain(`${service} via host-address-${index}`);
    });
  }
  for (const expected of [
    ...neighbours.map((_, index) => `neighbour container ${index}`),
    ...firewalled.behindHost.map((target) => target.label),
    'ipv6 enabled',
    'docker socket /var/run/docker.sock',
    'write /app/planted.py',
    'write /etc/planted',
    'write /planted',
    'setuid(0)',
    'setuid binary su',
    'effective capabilities',
    'no-new-privileges off',
    'fork bomb',
    'fill /tmp',
    'fill /home/app',
  ]) {
    expect(attempts).toContain(expected);
  }
  expect(verdicts.filter((verdict) => verdict.reached)).toEqual([]);
  // The fork bomb stopped at the pids limit, the disks at their sizes.
  const detailOf = (attempt: string) => verdicts.find((verdict) => verdict.attempt === attempt)?.detail ?? '';
  expect(detailOf('fork bomb')).toMatch(/Resource temporarily unavailable/);
  expect(detailOf('fill /tmp')).toMatch(/No space left on device/);
  expect(detailOf('write /etc/planted')).toMatch(/Read-only file system/);
  // Listening (the plain container got in), yet refused at once: the app firewall's reset.
  for (const attempt of [
    'test listener on 0.0.0.0 via gateway',
    'test listener on 0.0.0.0 via host-address-0',
    ...firewalled.behindHost.map((target) => target.label),
  ]) {
    expect(detailOf(attempt)).toMatch(/Connection refused/);
  }
  // Names still resolve: Docker's embedded DNS forwards to the host's resolver, private or not.
  expect(await resolveInside(hostile.deploymentId, 'pypi.org')).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

  for (const each of neighbours) expect(await health(each.hostPort)).toBe('ok');
  expect(await health(hostile.hostPort)).toBe('ok');
});
