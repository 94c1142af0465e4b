// The conformance suite of the app runtime contract (AppRuntime in ../types.ts): what every engine
// implementation must do, as vitest tests. An implementation's own test file calls
// describeRuntimeConformance() with a way to make it (test/integration/docker-runtime.test.ts for
// Docker). It builds its own small image (a Python HTTP server, instance.py) FROM the runtime image,
// so it needs no Streamlit start-up, and removes everything it made by its labels.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SubnetPool } from '@cove/shared/network/subnet-pool';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AppRuntime,
  type ContainerInfo,
  type Endpoint,
  type ImageStore,
  labelKeys,
  type RunContainerRequest,
} from '../types';

export interface ConformanceOptions {
  /** The image app images are built FROM (Cove's runtime image): it must have python3. */
  baseImage: string;
  /** Where the instances' networks get their subnets. */
  subnets: SubnetPool;
  /**
   * Asks an instance's endpoint for a path and resolves to the answer's body, or rejects when it does
   * not answer. By default a direct request from the test's process (Docker's loopback port); an
   * engine whose endpoints only its own networks reach (Swarm's task addresses on overlay networks)
   * gives a way in, e.g. through a probe on those networks.
   */
  fetchFromEndpoint?: (endpoint: Endpoint, urlPath: string, timeoutMs: number) => Promise<string>;
  /** How long an instance may take to answer after run/start (a cluster pulls and schedules). */
  startTimeoutMs?: number;
}

const instancePort = 8501;
const instanceUser = 10001;

async function fetchDirectly(endpoint: Endpoint, urlPath: string, timeoutMs: number): Promise<string> {
  const response = await fetch(`http://${endpoint.host}:${endpoint.port}${urlPath}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return await response.text();
}

async function eventually<T>(
  probe: () => Promise<T | null | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function describeRuntimeConformance(
  name: string,
  makeRuntime: () => AppRuntime & Pick<ImageStore, 'buildImage' | 'removeImage' | 'listImages'>,
  options: ConformanceOptions,
): void {
  describe(`app runtime contract: ${name}`, () => {
    const instance = `conformance-${randomBytes(3).toString('hex')}`;
    const labels = { [labelKeys.instance]: instance };
    const runtime = makeRuntime();
    const fetchFromEndpoint = options.fetchFromEndpoint ?? fetchDirectly;
    const startTimeoutMs = options.startTimeoutMs ?? 30_000;

    async function answerOf(
      endpoint: Endpoint | null,
      urlPath: string,
      timeoutMs = 3000,
    ): Promise<string | null> {
      if (endpoint === null) return null;
      try {
        return await fetchFromEndpoint(endpoint, urlPath, timeoutMs);
      } catch {
        return null;
      }
    }
    let image = '';
    let workDir = '';
    let secretFile = '';

    function request(suffix: string, overrides: Partial<RunContainerRequest> = {}): RunContainerRequest {
      return {
        name: `${instance}-${suffix}`,
        image,
        labels: { ...labels, [labelKeys.appId]: suffix },
        env: { CONFORMANCE_VALUE: `env of ${suffix}` },
        network: `${instance}-net-${suffix}`,
        containerPort: instancePort,
        userId: instanceUser,
        memoryMb: 96,
        cpus: 0.5,
        pidsLimit: 64,
        tmpfs: { '/tmp': 'rw,nosuid,nodev,size=16m,mode=1777' },
        readOnlyFiles: [{ hostPath: secretFile, containerPath: '/run/conformance/value.txt' }],
        ...overrides,
      };
    }

    async function runReady(
      suffix: string,
      overrides: Partial<RunContainerRequest> = {},
    ): Promise<ContainerInfo> {
      const wanted = request(suffix, overrides);
      await runtime.ensureNetwork(wanted.network, labels, { subnets: options.subnets });
      const started = await runtime.run(wanted);
      await eventually(() => answerOf(started.endpoint, '/health'), `${suffix} to answer`, startTimeoutMs);
      return started;
    }

    beforeAll(async () => {
      workDir = await mkdtemp(path.join(tmpdir(), 'cove-conformance-'));
      await copyFile(new URL('./instance.py', import.meta.url), path.join(workDir, 'instance.py'));
      await writeFile(
        path.join(workDir, 'Dockerfile'),
        `FROM ${options.baseImage}\nCOPY instance.py /srv/instance.py\nENTRYPOINT ["python3", "/srv/instance.py"]\n`,
      );
      secretFile = path.join(workDir, 'value.txt');
      await writeFile(secretFile, 'a value from a read-only file');
      const built = await runtime.buildImage({
        contextDir: workDir,
        dockerfile: 'Dockerfile',
        excludedPaths: ['value.txt'],
        tag: `${instance}/instance:1`,
        labels,
        onLine: () => {},
      });
      if (!built.isSuccess) throw new Error(`the conformance image did not build: ${built.errorMessage}`);
      image = built.imageId;
    });

    afterAll(async () => {
      for (const container of await runtime.list(labels)) await runtime.remove(container.id);
      for (const network of await runtime.listNetworks(labels)) await runtime.removeNetwork(network);
      for (const each of await runtime.listImages(labels)) await runtime.removeImage(each);
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    test('runs an instance from an image with its limits, env, read-only file and user, at its endpoint', async () => {
      const started = await runReady('run');
      expect(started).toMatchObject({
        state: 'running',
        memoryLimitMb: 96,
        exitCode: null,
        isOomKilled: false,
      });
      expect(started.labels[labelKeys.appId]).toBe('run');
      // Where it runs, as the app's API reports it (one host's name; a swarm node's).
      expect(started.node).toMatch(/\S/);
      expect(await answerOf(started.endpoint, '/env')).toBe('env of run');
      expect(await answerOf(started.endpoint, '/file')).toBe('a value from a read-only file');
      expect(await answerOf(started.endpoint, '/uid')).toBe(String(instanceUser));
      expect(await answerOf(started.endpoint, '/write-root')).toBe('Read-only file system');
      expect(await answerOf(started.endpoint, '/write-tmp')).toBe('1');
      expect((await runtime.inspect(started.id))?.name).toBe(`${instance}-run`);
      expect((await runtime.inspect(`${instance}-run`))?.id).toBe(started.id);
      const peak = await runtime.memoryPeakMb(started.id);
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(96);
    });

    test('lists instances by their labels only', async () => {
      const listed = await runtime.list({ ...labels, [labelKeys.appId]: 'run' });
      expect(listed.map((container) => container.name)).toEqual([`${instance}-run`]);
      expect(await runtime.list({ [labelKeys.instance]: `${instance}-nobody` })).toEqual([]);
    });

    test('freezes an instance (it answers nothing) and resumes it where it was', async () => {
      const started = await runReady('freeze');
      await runtime.pause(started.id);
      expect((await runtime.inspect(started.id))?.state).toBe('paused');
      expect(await answerOf(started.endpoint, '/health', 1000)).toBeNull();
      await runtime.unpause(started.id);
      expect((await runtime.inspect(started.id))?.state).toBe('running');
      expect(
        await eventually(() => answerOf(started.endpoint, '/health'), 'the resumed instance', startTimeoutMs),
      ).toBe('ok');
    });

    test('stops an instance (no port, an exit code) and starts it again', async () => {
      const started = await runReady('stop');
      await runtime.stop(started.id, 5);
      const stopped = await runtime.inspect(started.id);
      expect(stopped?.state).toBe('exited');
      expect(stopped?.endpoint).toBeNull();
      expect(stopped?.exitCode).not.toBeNull();
      const again = await runtime.start(started.id);
      expect(again?.state).toBe('running');
      expect(
        await eventually(
          () => answerOf(again?.endpoint ?? null, '/env'),
          'the started instance',
          startTimeoutMs,
        ),
      ).toBe('env of stop');
      const restarted = await runtime.restart(started.id, 5);
      expect(restarted?.state).toBe('running');
      expect(
        await eventually(
          () => answerOf(restarted?.endpoint ?? null, '/health'),
          'the restarted instance',
          startTimeoutMs,
        ),
      ).toBe('ok');
    });

    test('removes an instance; removing a missing one is no error', async () => {
      const started = await runReady('remove');
      await runtime.remove(started.id);
      expect(await runtime.inspect(started.id)).toBeNull();
      await runtime.remove(started.id);
      expect(await runtime.list({ ...labels, [labelKeys.appId]: 'remove' })).toEqual([]);
    });

    test("reads an instance's output: the last lines, and new ones as they come", async () => {
      const started = await runReady('logs');
      expect(
        await eventually(async () => {
          const lines = await runtime.tailLogs(started.id, 10);
          return lines.some((line) => line.includes('conformance instance listening')) ? lines : null;
        }, 'the start-up line'),
      ).toBeTruthy();
      const seen: string[] = [];
      const follower = await runtime.followLogs(started.id, Math.floor(Date.now() / 1000) - 1, (line) =>
        seen.push(line),
      );
      await answerOf(started.endpoint, '/uid');
      await eventually(
        async () => (seen.some((line) => line.includes('request /uid')) ? true : null),
        'the followed line',
      );
      follower.stop();
      await follower.ended;
    });

    test('reports an out-of-memory kill as it happens, and the instance shows it', async () => {
      const kills: string[] = [];
      const watch = await runtime.watchOomKills(labels, (containerId) => kills.push(containerId));
      try {
        const started = await runReady('oom', { memoryMb: 48 });
        await answerOf(started.endpoint, '/grow', 10_000);
        await eventually(async () => (kills.includes(started.id) ? true : null), 'the kill to be reported');
        const killed = await eventually(async () => {
          const now = await runtime.inspect(started.id);
          return now?.state === 'exited' ? now : null;
        }, 'the killed instance to exit');
        expect(killed).toMatchObject({ isOomKilled: true, memoryLimitMb: 48, endpoint: null });
      } finally {
        watch.stop();
        await watch.ended;
      }
    });

    test("reads an instance's CPU and memory from the engine's stats, with its limit", async () => {
      const started = await runReady('stats', { memoryMb: 128 });
      expect(await answerOf(started.endpoint, '/hold', 10_000)).toBe('held');
      expect(await answerOf(started.endpoint, '/spin')).toBe('spinning');
      const busy = await eventually(async () => {
        const stats = await runtime.stats(started.id);
        // Idle, the instance uses next to nothing; on a busy machine the spinning core gets a share.
        return stats && stats.cpuCores > 0.02 ? stats : null;
      }, 'the spinning instance to show CPU');
      expect(busy.memoryBytes).toBeGreaterThan(40 * 1024 * 1024);
      expect(busy.memoryBytes).toBeLessThan(128 * 1024 * 1024);
      expect(busy.memoryLimitBytes).toBe(128 * 1024 * 1024);
      await runtime.stop(started.id, 5);
      expect(await runtime.stats(started.id)).toBeNull();
    });

    test('networks are made once, listed by labels and removed; each instance answers on its own port', async () => {
      const first = await runReady('net-a');
      await runtime.ensureNetwork(`${instance}-net-net-a`, labels, { subnets: options.subnets });
      const second = await runReady('net-b');
      expect(await runtime.listNetworks(labels)).toEqual(
        expect.arrayContaining([`${instance}-net-net-a`, `${instance}-net-net-b`]),
      );
      expect(await answerOf(first.endpoint, '/env')).toBe('env of net-a');
      expect(await answerOf(second.endpoint, '/env')).toBe('env of net-b');
      await runtime.remove(first.id);
      await runtime.removeNetwork(`${instance}-net-net-a`);
      expect(await runtime.listNetworks(labels)).not.toContain(`${instance}-net-net-a`);
    });
  });
}
