// A hostile dependency, built from source during an app's build: its build backend
// (fixtures/fence-probe) tries the host's ports (a listener on 0.0.0.0, Cove's Postgres and Redis,
// through the gateway, Docker's default bridge and the host's addresses), a private and a
// link-local address behind the host, the metadata address, root, and more memory and processes
// than a build may have, and records each outcome in the package it builds. None may succeed, while
// a public package from PyPI installs in the same build; others filling the disk (their temporary
// files, or uv's cache) are stopped.
// The package comes from a private "index" the operator allowed (COVE_APP_FIREWALL_ALLOW), as a
// package index on the LAN would.

import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { labelKeys } from '../../src/runtime/types';
import {
  type BuilderWorld,
  buildAndWait,
  builderConfig,
  containersOf,
  insertApp,
  runPythonAsApp,
  runtime,
  startBuilderWorld,
  stopBuilderWorld,
} from './fixture';
import {
  fileServer,
  type Listener,
  type NamespaceListener,
  probeFromPlainContainer,
  startHostListener,
  startNamespaceListener,
  type Target,
} from './network-fixtures';

const memoryMb = 384;
const pidsLimit = 128;
const diskMb = 64;

let world: BuilderWorld | undefined;
let index: NamespaceListener | undefined;
let indexDir = '';
let hostListener: Listener | undefined;
let behindHost: NamespaceListener | undefined;

beforeAll(async () => {
  indexDir = await mkdtemp(path.join(tmpdir(), 'cove-fence-index-'));
  index = await startNamespaceListener({ script: fileServer, args: [indexDir] });
  world = await startBuilderWorld({
    COVE_APP_FIREWALL_ALLOW: index.privateAddress,
    COVE_BUILD_MEMORY_MB: String(memoryMb),
    COVE_BUILD_PIDS_LIMIT: String(pidsLimit),
    COVE_BUILD_DISK_MB: String(diskMb),
  });
  hostListener = await startHostListener();
  behindHost = await startNamespaceListener();
});

afterAll(async () => {
  await stopBuilderWorld(world);
  await hostListener?.close();
  await behindHost?.close();
  await index?.close();
  if (indexDir) await rm(indexDir, { recursive: true, force: true });
});

function portOf(url: string): number {
  return Number.parseInt(new URL(url).port, 10);
}

/** Every IPv4 address of this machine but loopback: how else a build might name the host. */
function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address);
}

/** Writes `<name>-0.1.tar.gz` (the probe backend with these targets) into the index; its URL. */
async function publishSdist(name: string, targets: unknown): Promise<string> {
  const source = await mkdtemp(path.join(tmpdir(), 'cove-fence-sdist-'));
  try {
    const backend = await readFile(
      new URL('./fixtures/fence-probe/probe_backend.py', import.meta.url),
      'utf8',
    );
    await writeFile(path.join(source, 'probe_backend.py'), backend);
    await writeFile(path.join(source, 'targets.json'), JSON.stringify(targets));
    await writeFile(
      path.join(source, 'pyproject.toml'),
      `[build-system]\nrequires = []\nbuild-backend = "probe_backend"\nbackend-path = ["."]\n\n[project]\nname = "${name}"\nversion = "0.1"\n`,
    );
    await writeFile(path.join(source, 'PKG-INFO'), `Metadata-Version: 2.1\nName: ${name}\nVersion: 0.1\n`);
    const file = `${name.replaceAll('-', '_')}-0.1.tar.gz`;
    const packed = tar.pack(source, {
      map: (header) => ({
        ...header,
        name: path.posix.join(`${name.replaceAll('-', '_')}-0.1`, header.name),
      }),
    });
    await pipeline(packed, createGzip(), createWriteStream(path.join(indexDir, file)));
    return `http://${index?.privateAddress}:${index?.port}/${file}`;
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

const verdict = z.object({ attempt: z.string(), reached: z.boolean(), detail: z.string() });

test('a dependency built from source reaches none of the host, the LAN, metadata, root or past its limits; PyPI works', async () => {
  if (!world || !hostListener || !behindHost) throw new Error('the world did not start');
  const { context, git } = world;
  const otherTargets: Target[] = [
    { label: 'private address behind the host', host: behindHost.privateAddress, port: behindHost.port },
    { label: 'link-local address behind the host', host: behindHost.linkLocalAddress, port: behindHost.port },
  ];
  const hostPorts = {
    'test listener on 0.0.0.0': hostListener.port,
    postgres: portOf(context.databaseUrl),
    redis: portOf(context.redisUrl),
  };
  // The control: outside Cove's fence, a container gets to the listener and the addresses.
  const reachedUnfenced = await probeFromPlainContainer(builderConfig(context).COVE_RUNTIME_IMAGE, [
    ...otherTargets,
    { label: 'listener via gateway', host: 'GATEWAY', port: hostListener.port },
  ]);
  expect([...reachedUnfenced.values()]).toEqual([true, true, true]);

  const url = await publishSdist('fence-probe', {
    hostPorts,
    hostAddresses: hostAddresses(),
    otherTargets,
    memoryMb: memoryMb + 128,
    forks: pidsLimit * 4,
  });
  await git.createRepo('fenced', {
    'app.py': 'import six\nimport streamlit as st\n\nst.write(six.__version__)\n',
    'requirements.txt': `six==1.16.0\nfence-probe @ ${url}\n`,
  });
  const app = await insertApp(context, { name: 'fenced', repoUrl: git.repoUrl('fenced') });
  const { deployment, buildLog } = await buildAndWait(world, app);
  expect(deployment.errorMessage, buildLog.join('\n')).toBeNull();
  expect(deployment.status).toBe('running');

  const [container] = await containersOf(context.instance, deployment.id);
  if (!container) throw new Error('the app has no container');
  // The public install worked, and the probe's package was built and installed beside it.
  expect((await runPythonAsApp(container.id, 'import six; print(six.__version__)')).trim()).toBe('1.16.0');
  const report = z
    .array(verdict)
    .parse(JSON.parse(await runPythonAsApp(container.id, 'import fence_probe; print(fence_probe.REPORT)')));
  const attempts = report.map((entry) => entry.attempt);
  for (const service of Object.keys(hostPorts)) {
    expect(attempts).toContain(`${service} via gateway`);
    expect(attempts).toContain(`${service} via docker0 gateway`);
    expect(attempts).toContain(`${service} via host-address-0`);
  }
  for (const expected of [
    ...otherTargets.map((target) => target.label),
    'metadata 169.254.169.254:80',
    'running as root',
    'setuid(0)',
    'write /etc/cove-planted',
    'write /usr/local/bin/cove-planted',
    'memory past the limit',
    'fork past the pids limit',
  ]) {
    expect(attempts).toContain(expected);
  }
  expect(report.filter((entry) => entry.reached)).toEqual([]);
  const detailOf = (attempt: string) => report.find((entry) => entry.attempt === attempt)?.detail ?? '';
  // Listening (the plain container got in), yet refused at once: the app firewall's reset.
  for (const attempt of [
    'test listener on 0.0.0.0 via gateway',
    'test listener on 0.0.0.0 via host-address-0',
    ...otherTargets.map((target) => target.label),
  ]) {
    expect(detailOf(attempt)).toMatch(/Connection refused/);
  }
  expect(detailOf('running as root')).toMatch(/^uid 10002 /);
  expect(detailOf('memory past the limit')).toMatch(/^exit -9/);
  expect(detailOf('fork past the pids limit')).toMatch(/Resource temporarily unavailable/);
  expect(buildLog).toContain(
    `A process of the install went past the ${memoryMb} MB a build may use and was stopped; the install went on without it.`,
  );
});

test.each([
  { where: 'its temporary files', fillPath: '/tmp/cove-fill', name: 'fence-fill-tmp' },
  { where: 'uv’s cache (a volume)', fillPath: '/var/cache/cove-uv/cove-fill', name: 'fence-fill-cache' },
])(
  'a dependency whose build fills $where is stopped at the disk limit, and the build says so',
  async ({ fillPath, name }) => {
    if (!world) throw new Error('the world did not start');
    const { context, git } = world;
    const url = await publishSdist(name, { fill_mb: diskMb * 8, fill_path: fillPath });
    await git.createRepo(name, {
      'app.py': 'import streamlit as st\n\nst.write("x")\n',
      'requirements.txt': `${name} @ ${url}\n`,
    });
    const app = await insertApp(context, { name, repoUrl: git.repoUrl(name) });
    const { deployment } = await buildAndWait(world, app);
    expect(deployment.status).toBe('failed');
    expect(deployment.errorMessage).toMatch(
      new RegExp(
        `^Installing the Python dependencies wrote more than the ${diskMb} MB a build may write \\(COVE_BUILD_DISK_MB\\) and was stopped\\.`,
      ),
    );
    // Nothing of the install is left running.
    const installs = await runtime.list({ [labelKeys.helperOf]: context.instance });
    expect(installs).toEqual([]);
  },
);
