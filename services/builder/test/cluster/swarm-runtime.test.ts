// The Swarm implementation of the app runtime passes the contract's conformance suite on the cluster
// lab (three engines in network namespaces, infra/cluster/lab.sh, started by the cluster project), and does what a cluster is for:
// instances spread over the nodes, and those of a node whose engine stops come back on the others.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeRuntimeConformance } from '../../src/runtime/conformance/suite';
import { createDockerRuntime } from '../../src/runtime/docker';
import { createSwarmRuntime } from '../../src/runtime/swarm';
import { type AppRuntime, type ContainerInfo, type ImageStore, labelKeys } from '../../src/runtime/types';
import { clusterLab } from './cluster-lab';
import { startSwarmProbe } from './swarm-probe';

const runtimeImage = process.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev';
const lab = clusterLab();
const probe = await startSwarmProbe(lab.managerSocket, lab.managerAddress, runtimeImage);

afterAll(async () => {
  await probe.stop();
});

function makeRuntime(): AppRuntime & Pick<ImageStore, 'buildImage' | 'removeImage' | 'listImages'> {
  // Builds run on the manager's engine (as the builder's would), and reach the nodes through the registry.
  const images = createDockerRuntime(lab.managerSocket.replace(/^unix:\/\//, ''));
  const swarm = createSwarmRuntime({
    managerSocket: lab.managerSocket,
    nodeSockets: lab.nodeSockets,
    buildSocket: lab.managerSocket,
    registry: lab.registry,
    cpuReservationRatio: 0.1,
    startTimeoutMs: 120_000,
  });
  return {
    ...swarm,
    buildImage: images.buildImage,
    removeImage: images.removeImage,
    listImages: images.listImages,
  };
}

const subnets = { range: '10.214.0.0/16', subnetBits: 28 };

describeRuntimeConformance('Swarm', makeRuntime, {
  baseImage: runtimeImage,
  subnets,
  fetchFromEndpoint: probe.fetch,
  startTimeoutMs: 120_000,
});

async function eventually<T>(
  probeOnce: () => Promise<T | null>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probeOnce().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Swarm runtime on the cluster', () => {
  const runtime = makeRuntime();
  const instance = `cluster-${randomBytes(3).toString('hex')}`;
  const labels = { [labelKeys.instance]: instance };
  let image = '';
  let workDir = '';
  const stoppedNodes = new Set<string>();

  const answer = (info: ContainerInfo | null, urlPath: string) =>
    info?.endpoint ? probe.fetch(info.endpoint, urlPath, 3000).catch(() => null) : Promise.resolve(null);

  async function runApp(suffix: string): Promise<ContainerInfo> {
    const network = `${instance}-net-${suffix}`;
    await runtime.ensureNetwork(network, labels, { subnets });
    const started = await runtime.run({
      name: `${instance}-${suffix}`,
      image,
      labels: { ...labels, [labelKeys.appId]: suffix },
      env: { CONFORMANCE_VALUE: `env of ${suffix}` },
      network,
      containerPort: 8501,
      userId: 10001,
      memoryMb: 64,
      cpus: 0.25,
      pidsLimit: 64,
      tmpfs: { '/tmp': 'rw,nosuid,nodev,size=16m,mode=1777' },
    });
    await eventually(() => answer(started, '/health'), `${suffix} to answer`, 120_000);
    return started;
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'cove-swarm-'));
    await copyFile(
      new URL('../../src/runtime/conformance/instance.py', import.meta.url),
      path.join(workDir, 'instance.py'),
    );
    await writeFile(
      path.join(workDir, 'Dockerfile'),
      `FROM ${runtimeImage}\nCOPY instance.py /srv/instance.py\nENTRYPOINT ["python3", "/srv/instance.py"]\n`,
    );
    const built = await runtime.buildImage({
      contextDir: workDir,
      dockerfile: 'Dockerfile',
      excludedPaths: [],
      tag: `${instance}/instance:1`,
      labels,
      onLine: () => {},
    });
    if (!built.isSuccess) throw new Error(`the test image did not build: ${built.errorMessage}`);
    image = built.imageId;
  });

  afterAll(async () => {
    for (const node of stoppedNodes) await lab.startNode(node);
    for (const container of await runtime.list(labels)) await runtime.remove(container.id);
    for (const network of await runtime.listNetworks(labels)) await runtime.removeNetwork(network);
    for (const each of await runtime.listImages(labels)) await runtime.removeImage(each);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 300_000);

  test('instances land on more than one node, each answering at its own endpoint', async () => {
    const started = await Promise.all(['a', 'b', 'c', 'd'].map((suffix) => runApp(suffix)));
    const nodes = new Set(started.map((info) => info.node));
    expect(nodes.size).toBeGreaterThan(1);
    for (const node of nodes) expect(lab.nodes).toContain(node);
    for (const [index, suffix] of ['a', 'b', 'c', 'd'].entries()) {
      expect(await answer(started[index] ?? null, '/env')).toBe(`env of ${suffix}`);
    }
  });

  test("a worker's engine stopped: its instances serve again from the other nodes, the rest keep serving", async () => {
    const running = await runtime.list(labels);
    const workers = lab.nodes.slice(1);
    const worker = workers.find((node) => running.some((info) => info.node === node));
    if (!worker)
      throw new Error(`no instance runs on a worker (${running.map((info) => info.node).join(', ')})`);
    const onWorker = running.filter((info) => info.node === worker);
    const elsewhere = running.filter((info) => info.node !== worker);

    stoppedNodes.add(worker);
    await lab.stopNode(worker);
    // Swarm takes the node for down once its heartbeats stop; its tasks then serve nobody.
    for (const lost of onWorker) {
      await eventually(
        async () => ((await runtime.inspect(lost.id))?.state === 'dead' ? true : null),
        `${lost.name} to be reported lost with its node`,
        120_000,
      );
    }
    for (const kept of elsewhere) {
      expect(await answer(await runtime.inspect(kept.id), '/env')).toBe(
        `env of ${kept.labels[labelKeys.appId]}`,
      );
    }
    // What the reconciler does with an instance that does not run: start it, and Swarm places it.
    for (const lost of onWorker) {
      const again = await runtime.start(lost.id);
      expect(again?.state).toBe('running');
      expect(again?.node).not.toBe(worker);
      expect(
        await eventually(() => answer(again ?? null, '/env'), `${lost.name} to answer again`, 120_000),
      ).toBe(`env of ${lost.labels[labelKeys.appId]}`);
    }
    await lab.startNode(worker);
    stoppedNodes.delete(worker);
  });
});
