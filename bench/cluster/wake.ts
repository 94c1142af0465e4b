// Wake from stopped on the cluster against one host (issue 14, "Measure"): a small Streamlit app,
// stopped, then started by the runtime, timed to the first byte of its page. One host: the Docker
// runtime (`docker start`, the page on the loopback port). Cluster: the Swarm runtime on the lab
// (scale 0 -> 1, Swarm places the task, its node starts it; the page through a probe container on
// the app's overlay network, as a proxy replica on the cluster would reach it).
// `node --import tsx bench/cluster/wake.ts [--runs N]`; needs root (the lab).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDockerRuntime } from '../../services/builder/src/runtime/docker';
import { createSwarmRuntime } from '../../services/builder/src/runtime/swarm';
import {
  type AppRuntime,
  type ContainerInfo,
  type Endpoint,
  type ImageStore,
  labelKeys,
} from '../../services/builder/src/runtime/types';
import { startSwarmProbe } from '../../services/builder/test/cluster/swarm-probe';
import { ratio, summarize } from '../lib/stats';
import { formatNumber, formatTable } from '../lib/table';

const run = promisify(execFile);
const labScript = fileURLToPath(new URL('../../infra/cluster/lab.sh', import.meta.url));
const runtimeImage = process.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev';
const runsArgument = process.argv.indexOf('--runs');
const runs = runsArgument > 0 ? Number(process.argv[runsArgument + 1]) : 5;
const targetMs = 1500;

type Fetcher = (endpoint: Endpoint, urlPath: string, timeoutMs: number) => Promise<string>;

async function direct(endpoint: Endpoint, urlPath: string, timeoutMs: number): Promise<string> {
  const response = await fetch(`http://${endpoint.host}:${endpoint.port}${urlPath}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return response.text();
}

async function firstByte(info: ContainerInfo | null, fetcher: Fetcher, startedAt: number): Promise<number> {
  const deadline = startedAt + 120_000;
  while (Date.now() < deadline) {
    if (info?.endpoint) {
      const body = await fetcher(info.endpoint, '/', 2000).catch(() => null);
      if (body?.includes('<html')) return performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the app did not answer within 120 s of its start');
}

async function labEnv(): Promise<{ values: Map<string, string>; isOurs: boolean; env: NodeJS.ProcessEnv }> {
  const env = {
    ...process.env,
    COVE_CLUSTER_NAME: process.env.COVE_CLUSTER_NAME ?? `${process.env.COVE_INSTANCE ?? 'local'}-bench`,
    COVE_CLUSTER_SUBNET: process.env.COVE_BENCH_CLUSTER_SUBNET ?? '10.235.0.0/24',
  };
  let isOurs = false;
  let text = await run(labScript, ['env'], { env }).then(
    (result) => result.stdout,
    () => null,
  );
  if (text === null) {
    console.log('starting the cluster lab (infra/cluster/lab.sh up)');
    await run(labScript, ['up'], { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    isOurs = true;
    text = (await run(labScript, ['env'], { env })).stdout;
  }
  const values = new Map(
    text
      .split('\n')
      .flatMap((line) =>
        line.includes('=')
          ? [[line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]]
          : [],
      ),
  );
  return { values, isOurs, env };
}

async function measure(
  name: string,
  runtime: AppRuntime & Pick<ImageStore, 'buildImage' | 'removeImage' | 'listImages'>,
  fetcher: Fetcher,
  contextDir: string,
): Promise<number[]> {
  const instance = `bench-wake-${randomBytes(3).toString('hex')}`;
  const labels = { [labelKeys.instance]: instance };
  const network = `${instance}-net`;
  console.log(`${name}: building the app image`);
  const built = await runtime.buildImage({
    contextDir,
    dockerfile: 'Dockerfile',
    excludedPaths: [],
    tag: `${instance}/app:1`,
    labels,
    onLine: () => {},
  });
  if (!built.isSuccess) throw new Error(`the bench app did not build on ${name}: ${built.errorMessage}`);
  const timings: number[] = [];
  try {
    await runtime.ensureNetwork(network, labels, { subnets: { range: '10.215.0.0/16', subnetBits: 28 } });
    const started = await runtime.run({
      name: `${instance}-app`,
      image: built.imageId,
      labels: { ...labels, [labelKeys.appId]: 'wake' },
      env: {},
      network,
      containerPort: 8501,
      userId: 10001,
      memoryMb: 512,
      cpus: 1,
      pidsLimit: 256,
      tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=256m,mode=1777',
        '/home/app': 'rw,nosuid,nodev,size=64m,uid=10001,gid=10001,mode=0700',
      },
    });
    console.log(`${name}: started on ${started.node}`);
    await firstByte(started, fetcher, Date.now());
    for (let round = 0; round < runs; round += 1) {
      await runtime.stop(started.id, 5);
      const begin = performance.now();
      const again = await runtime.start(started.id);
      timings.push((await firstByte(again, fetcher, Date.now())) - begin);
      console.log(`${name} round ${round + 1}: ${formatNumber(timings.at(-1), 0)} ms (on ${again?.node})`);
    }
  } finally {
    for (const container of await runtime.list(labels)) await runtime.remove(container.id);
    await runtime.removeNetwork(network);
    for (const image of await runtime.listImages(labels)) await runtime.removeImage(image);
  }
  return timings;
}

// fetch's AbortSignal.timeout() timers do not hold the process: a request the engine's port proxy
// accepted and holds unanswered (the app not listening yet) would let Node exit mid-await.
const keepAlive = setInterval(() => {}, 1000);
const contextDir = await mkdtemp(path.join(tmpdir(), 'cove-bench-cluster-'));
await writeFile(
  path.join(contextDir, 'streamlit_app.py'),
  'import streamlit as st\n\nst.title("Cluster wake bench")\nst.write("awake")\n',
);
await writeFile(
  path.join(contextDir, 'Dockerfile'),
  `FROM ${runtimeImage}\nCOPY streamlit_app.py /app/streamlit_app.py\nENV COVE_MAIN_FILE=streamlit_app.py\n`,
);
const lab = await labEnv();
console.log(`cluster lab: ${lab.values.get('COVE_CLUSTER_NAME')}`);
const need = (key: string) => {
  const value = lab.values.get(key);
  if (!value) throw new Error(`lab.sh env gave no ${key}`);
  return value;
};
const managerSocket = need('COVE_CLUSTER_DOCKER_HOST');
const managerAddress = need('COVE_CLUSTER_NODE_ADDRESSES').split(',')[0] ?? '';
// Nodes that run apps hold the runtime image's layers: each pulls it once here, so a wake measures
// the start, not a first pull (668 MB) on a node that never ran an app.
const runtimeReference = need('COVE_CLUSTER_RUNTIME_IMAGE');
await Promise.all(
  need('COVE_CLUSTER_NODE_DOCKER_HOSTS')
    .split(',')
    .map((socket) =>
      run('docker', ['-H', socket, 'pull', '-q', runtimeReference], {
        env: { ...process.env, DOCKER_CONFIG: need('COVE_CLUSTER_DOCKER_CONFIG') },
        timeout: 600_000,
      }),
    ),
);
console.log('every node holds the runtime image');
const probe = await startSwarmProbe(managerSocket, managerAddress, runtimeImage);
try {
  const host = createDockerRuntime(process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock');
  const oneHost = await measure('one host', host, direct, contextDir);
  const images = createDockerRuntime(managerSocket.replace(/^unix:\/\//, ''));
  const swarm = {
    ...createSwarmRuntime({
      managerSocket,
      nodeSockets: need('COVE_CLUSTER_NODE_DOCKER_HOSTS').split(','),
      buildSocket: managerSocket,
      registry: {
        address: need('COVE_CLUSTER_REGISTRY'),
        username: need('COVE_CLUSTER_REGISTRY_USER'),
        password: need('COVE_CLUSTER_REGISTRY_PASSWORD'),
      },
      cpuReservationRatio: 0.1,
      startTimeoutMs: 120_000,
    }),
    buildImage: images.buildImage,
    removeImage: images.removeImage,
    listImages: images.listImages,
  };
  const cluster = await measure('cluster', swarm, probe.fetch, contextDir);
  const single = summarize(oneHost);
  const onCluster = summarize(cluster);
  console.log(
    `\nWake from stopped to the first byte of the page, ${runs} rounds each (ms)\n\n${formatTable(
      [
        { header: 'runtime' },
        { header: 'p50', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'x one host (p50)', align: 'right' },
        { header: `target <= ${targetMs}`, align: 'right' },
      ],
      [
        ['one host: docker start', formatNumber(single.p50), formatNumber(Math.max(...oneHost)), '1.00', '-'],
        [
          'cluster: scale 0 -> 1',
          formatNumber(onCluster.p50),
          formatNumber(Math.max(...cluster)),
          formatNumber(ratio(onCluster.p50, single.p50), 2),
          onCluster.p50 <= targetMs ? 'met' : 'missed',
        ],
      ],
    )}`,
  );
} finally {
  await probe.stop();
  if (lab.isOurs) await run(labScript, ['down'], { env: lab.env, timeout: 600_000 });
  await rm(contextDir, { recursive: true, force: true });
  clearInterval(keepAlive);
}
