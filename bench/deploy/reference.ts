// The reference side of the deploy benchmark: the same repository built by `docker build` from a
// plain pip Dockerfile on Cove's base image, started with `docker run`, timed until the version's
// marker answers on its published port; the previous container is removed once the new one serves.
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ReferenceKind, referenceCaFolder, referenceDockerfile } from './apps';
import { waitForMarker } from './live';

export interface ReferenceSide {
  /** Writes files into the app's folder (the first call creates it) and deploys; ms until live. */
  deploy(app: string, files: Record<string, string>, marker: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

interface CommandResult {
  stdout: string;
  stderr: string;
}

/** docker commands still running, ended when the bench stops early. */
const runningCommands = new Set<ChildProcess>();

function docker(args: string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    runningCommands.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      runningCommands.delete(child);
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`docker ${args[0]} failed (exit ${code ?? 'killed'}):\n${tail}`));
      }
    });
  });
}

/** "127.0.0.1:49153" (or several lines, one per address family) to the first port. */
export function parsePublishedPort(output: string): number {
  const match = /:(\d+)\s*$/m.exec(output.trim().split('\n')[0] ?? '');
  if (match?.[1] === undefined) throw new Error(`docker port printed no port: ${output}`);
  return Number(match[1]);
}

export function startReferenceSide(options: {
  runId: string;
  baseImage: string;
  kind: ReferenceKind;
  workDir: string;
  /** Extra CA certificates to trust (runtime-image/extra-ca), copied into every build context. */
  caDir: string;
}): ReferenceSide {
  const label = `cove-bench=${options.runId}`;
  const running = new Map<string, string>();
  const versions = new Map<string, number>();

  return {
    async deploy(app, files, marker, timeoutMs) {
      const appDir = path.join(options.workDir, `${app}-${options.kind}`);
      await mkdir(appDir, { recursive: true });
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(appDir, file)), { recursive: true });
        await writeFile(path.join(appDir, file), content);
      }
      await writeFile(path.join(appDir, 'Dockerfile'), referenceDockerfile(options.baseImage, options.kind));
      await mkdir(path.join(appDir, referenceCaFolder), { recursive: true });
      await cp(options.caDir, path.join(appDir, referenceCaFolder), { recursive: true });
      const version = (versions.get(app) ?? 0) + 1;
      versions.set(app, version);
      const tag = `cove-bench-${options.runId}/${app}-${options.kind}:${version}`;

      const startedAt = Date.now();
      await docker(['build', '--label', label, '-t', tag, appDir], timeoutMs);
      const started = await docker(
        ['run', '-d', '--label', label, '-p', '127.0.0.1::8501', tag],
        Math.max(1_000, timeoutMs - (Date.now() - startedAt)),
      );
      const containerId = started.stdout.trim();
      const port = parsePublishedPort((await docker(['port', containerId, '8501/tcp'], 10_000)).stdout);
      const milliseconds = await waitForMarker(() => ({ port }), marker, startedAt, timeoutMs);
      const previous = running.get(app);
      running.set(app, containerId);
      if (previous !== undefined) await docker(['rm', '-f', previous], 30_000);
      return milliseconds;
    },
    async stop() {
      for (const child of runningCommands) child.kill('SIGKILL');
      const containers = (await docker(['ps', '-aq', '--filter', `label=${label}`], 30_000)).stdout.trim();
      if (containers !== '') await docker(['rm', '-f', ...containers.split('\n')], 60_000);
      const images = (await docker(['images', '-q', '--filter', `label=${label}`], 30_000)).stdout.trim();
      // One at a time, each with a generous bound: a busy engine deletes layers slowly.
      for (const image of new Set(images === '' ? [] : images.split('\n'))) {
        await docker(['rmi', '-f', image], 300_000).catch((error: unknown) => {
          process.stderr.write(`could not remove the reference image ${image}: ${String(error)}\n`);
        });
      }
      await rm(options.workDir, { recursive: true, force: true });
    },
  };
}
