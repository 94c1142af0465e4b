// `npm run bench:cluster-images`: how an image reaches a node of the cluster lab, the lab's registry (push
// from the manager, pull on the worker) side by side with `docker save | docker load` from the
// manager's engine to the worker's. On a lab of its own (infra/cluster/lab.sh, `bench`,
// 10.235.0.0/24) whose registry starts empty, removed at the end (--keep leaves it). --runs N
// repeats the code-only change (3).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { type Carry, formatReport } from './images-report';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const labScript = path.join(repoRoot, 'infra/cluster/lab.sh');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const runsIndex = args.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 3;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a whole number of at least 1');
const runtimeImage = process.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev';

const labEnv: NodeJS.ProcessEnv = {
  ...process.env,
  COVE_CLUSTER_NAME: process.env.COVE_BENCH_CLUSTER_NAME ?? 'bench',
  COVE_CLUSTER_SUBNET: process.env.COVE_BENCH_CLUSTER_SUBNET ?? '10.235.0.0/24',
  COVE_CLUSTER_PUSH_RUNTIME_IMAGE: '0',
};

async function lab(command: string): Promise<string> {
  const { stdout } = await run(labScript, [command], {
    env: labEnv,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  return stdout;
}

/** A shell pipeline (pipefail), timed. */
async function timed(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await run('bash', ['-o', 'pipefail', '-c', script], { env, maxBuffer: 16 * 1024 * 1024, timeout: 900_000 });
  return performance.now() - started;
}

console.log('starting the lab (bench, its registry empty)');
await lab('up');
const cluster = Object.fromEntries(
  (await lab('env'))
    .split('\n')
    .map((line) => line.split(/=(.*)/s))
    .filter(
      (pair): pair is [string, string] => pair.length >= 2 && pair[0] !== undefined && pair[1] !== undefined,
    )
    .map(([name, value]) => [name, value]),
) as Record<string, string>;
const [manager = '', worker1 = '', worker2 = ''] = (cluster.COVE_CLUSTER_NODE_DOCKER_HOSTS ?? '').split(',');
const registry = cluster.COVE_CLUSTER_REGISTRY ?? '';
const env = {
  ...process.env,
  DOCKER_CONFIG: cluster.COVE_CLUSTER_DOCKER_CONFIG,
  M: manager,
  W1: worker1,
  W2: worker2,
};
const carries: Carry[] = [];
const context = await mkdtemp(path.join(tmpdir(), 'cove-bench-cluster-'));
try {
  // Images come from the manager (where the cluster's builds run); the host hands it the runtime.
  console.log(`copying ${runtimeImage} to the manager`);
  await timed(`docker save ${runtimeImage} | docker -H "$M" load -q`, env);

  console.log('the runtime image: save | load to worker 1, push + pull to worker 2');
  const loadRuntime = await timed(`docker -H "$M" save ${runtimeImage} | docker -H "$W1" load -q`, env);
  carries.push({ image: 'runtime', way: 'save-load', milliseconds: [loadRuntime] });
  const target = `${registry}/bench/runtime:dev`;
  await run('docker', ['-H', manager, 'tag', runtimeImage, target], { env });
  const pushRuntime = await timed(`docker -H "$M" push -q ${target}`, env);
  const pullRuntime = await timed(`docker -H "$W2" pull -q ${target}`, env);
  carries.push({
    image: 'runtime',
    way: 'registry',
    pushMilliseconds: [pushRuntime],
    pullMilliseconds: [pullRuntime],
    milliseconds: [pushRuntime + pullRuntime],
  });

  const saveLoad: number[] = [];
  const pushes: number[] = [];
  const pulls: number[] = [];
  for (let index = 0; index < runs; index++) {
    console.log(`a code-only change (${index + 1}/${runs})`);
    // The app's code: 40 KB of new content each time, one new layer on the runtime image.
    await writeFile(
      path.join(context, 'app.py'),
      `# ${randomBytes(20_000).toString('hex')}\nimport streamlit as st\n`,
    );
    await writeFile(path.join(context, 'Dockerfile'), `FROM ${runtimeImage}\nCOPY app.py /app/app.py\n`);
    const tag = `${registry}/bench/app:${index}`;
    await run('docker', ['-H', manager, 'build', '-q', '-t', tag, context], {
      env: { ...env, DOCKER_BUILDKIT: '0' },
    });
    saveLoad.push(await timed(`docker -H "$M" save ${tag} | docker -H "$W1" load -q`, env));
    const push = await timed(`docker -H "$M" push -q ${tag}`, env);
    const pull = await timed(`docker -H "$W2" pull -q ${tag}`, env);
    pushes.push(push);
    pulls.push(pull);
  }
  carries.push({ image: 'code-change', way: 'save-load', milliseconds: saveLoad });
  carries.push({
    image: 'code-change',
    way: 'registry',
    pushMilliseconds: pushes,
    pullMilliseconds: pulls,
    milliseconds: pushes.map((push, index) => push + (pulls[index] ?? Number.NaN)),
  });
  console.log('');
  console.log(formatReport(carries));
} finally {
  await rm(context, { recursive: true, force: true });
  if (keep)
    console.log(`the lab stays up: ${labScript} down (COVE_CLUSTER_NAME=${labEnv.COVE_CLUSTER_NAME})`);
  else await lab('down');
}
