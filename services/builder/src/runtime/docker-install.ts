// A build's install step as an ordinary container (BuildKit's RUN steps in the engine can only use
// the default bridge and take no limits): on the network it is given, with memory, CPU, process and
// time limits, its writable layer measured as it runs, then committed as an image on success.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-fs';
import { z } from 'zod';
import { LineSplitter, stripAnsi } from './log-lines';
import { type InstallStepRequest, type InstallStepResult, labelKeys } from './types';

/** How often the container's writable layer is measured against its disk limit. */
const diskCheckIntervalMs = 2000;
/** Lines kept to explain a failure (uv's reason comes at the end). */
const keptLineCount = 2000;
const bytesPerMb = 1024 * 1024;

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const code = error.statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

async function removeContainer(docker: Docker, idOrName: string): Promise<void> {
  try {
    await docker.getContainer(idOrName).remove({ force: true, v: true });
  } catch (error) {
    const code = statusCodeOf(error);
    if (code !== 404 && code !== 409) throw error;
  }
}

/** Labels a container inherits from its image that would make it look like one of an instance's. */
const ownershipLabels = [labelKeys.instance, labelKeys.appId, labelKeys.deploymentId] as const;

/**
 * Dockerfile instructions putting back the source image's own user, working directory, entrypoint
 * and command (the install's replace them in the container, and a commit keeps the container's),
 * with the labels the image is to have.
 */
function restoringChanges(source: Docker.ImageInspectInfo['Config'], request: InstallStepRequest): string[] {
  const labels = {
    ...Object.fromEntries(Object.keys(request.labels).map((key) => [key, ''])),
    ...request.commitAs.labels,
  };
  return [
    `USER ${source.User === '' ? '0' : source.User}`,
    `WORKDIR ${source.WorkingDir === '' ? '/' : source.WorkingDir}`,
    `ENTRYPOINT ${JSON.stringify(source.Entrypoint ?? [])}`,
    `CMD ${JSON.stringify(source.Cmd ?? [])}`,
    `LABEL ${Object.entries(labels)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(' ')}`,
  ];
}

function createOptions(
  request: InstallStepRequest,
  source: Docker.ImageInspectInfo['Config'],
): Docker.ContainerCreateOptions {
  // A dependency image carries its instance's label and a container inherits it; blanked, the
  // install is not taken for one of the instance's containers (which the reconciler removes).
  const inherited = ownershipLabels.filter((key) => source.Labels?.[key] !== undefined);
  return {
    name: request.name,
    Image: request.image,
    // `timeout` (coreutils) is the container's first process: the step ends on time even when no
    // builder is left to stop it.
    Entrypoint: ['timeout', '-s', 'KILL', String(Math.ceil(request.timeoutSeconds)), ...request.command],
    Cmd: [],
    User: request.user,
    ...(request.workingDir ? { WorkingDir: request.workingDir } : {}),
    Labels: { ...Object.fromEntries(inherited.map((key) => [key, ''])), ...request.labels },
    HostConfig: {
      NetworkMode: request.network,
      CapDrop: ['ALL'],
      CapAdd: [...request.capabilities],
      SecurityOpt: ['no-new-privileges'],
      Memory: request.memoryMb * bytesPerMb,
      MemorySwap: request.memoryMb * bytesPerMb,
      NanoCpus: Math.round(request.cpus * 1e9),
      PidsLimit: request.pidsLimit,
      Mounts: request.volumes.map((volume) => ({
        Type: 'volume' as const,
        Source: volume.name,
        Target: volume.containerPath,
      })),
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  };
}

/** Copies the host directory into the container as `containerDirectory`, owned by `ownerId`. */
async function copyIn(container: Docker.Container, copy: NonNullable<InstallStepRequest['copyIn']>) {
  const target = path.posix.normalize(copy.containerDirectory);
  const archive = tar.pack(copy.hostDirectory, {
    map: (header) => {
      header.name = header.name === '.' ? target.slice(1) : path.posix.join(target.slice(1), header.name);
      header.uid = copy.ownerId;
      header.gid = copy.ownerId;
      return header;
    },
  });
  await container.putArchive(archive as unknown as NodeJS.ReadableStream, { path: '/' });
}

/** Hands each line of the container's output on as it comes, keeping the last ones. */
async function followOutput(container: Docker.Container, request: InstallStepRequest) {
  const kept: string[] = [];
  const emit = (line: string) => {
    const clean = stripAnsi(line);
    kept.push(clean);
    if (kept.length > keptLineCount) kept.shift();
    request.onLine(clean);
  };
  const stream = await container.logs({ follow: true, stdout: true, stderr: true });
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const outputs = { stdout: new PassThrough(), stderr: new PassThrough() };
  for (const kind of ['stdout', 'stderr'] as const) {
    outputs[kind].on('data', (chunk: Buffer) => {
      for (const line of splitters[kind].push(chunk.toString('utf8'))) emit(line);
    });
  }
  container.modem.demuxStream(stream, outputs.stdout, outputs.stderr);
  const ended = new Promise<void>((resolve) => {
    const finish = () => {
      for (const kind of ['stdout', 'stderr'] as const) for (const line of splitters[kind].end()) emit(line);
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
  return { kept, ended };
}

const containerSizes = z.array(z.object({ SizeRw: z.number().optional() }));

/** What the container wrote to its own layer; the engine measures it on request. */
async function writtenBytes(docker: Docker, containerId: string): Promise<number> {
  const listed = await docker.listContainers({ all: true, size: true, filters: { id: [containerId] } });
  return containerSizes.parse(listed)[0]?.SizeRw ?? 0;
}

/**
 * What the volumes hold, in bytes, as `du` inside the container sees them (the engine does not
 * measure volumes cheaply); null when it cannot say (e.g. every process slot is taken).
 */
async function volumeBytes(container: Docker.Container, user: string, paths: readonly string[]) {
  if (paths.length === 0) return 0;
  const exec = await container.exec({
    Cmd: ['du', '-s', '-k', '--', ...paths],
    User: user,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  container.modem.demuxStream(stream, stdout, new PassThrough());
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', resolve);
  });
  const { ExitCode: exitCode } = await exec.inspect();
  if (exitCode !== 0) return null;
  const kilobytes = Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .map((line) => Number.parseInt(line.split('\t')[0] ?? '', 10))
    .filter((value) => Number.isFinite(value));
  return kilobytes.reduce((total, value) => total + value, 0) * 1024;
}

export async function runInstallStepWithDocker(
  docker: Docker,
  request: InstallStepRequest,
): Promise<InstallStepResult> {
  if (request.signal?.aborted) return { outcome: 'stopped' };
  for (const volume of request.volumes) {
    await docker.createVolume({ Name: volume.name, Labels: volume.labels });
  }
  // A container of that name is left from a run a stopped builder did not finish: it is ours.
  await removeContainer(docker, request.name);
  const source = (await docker.getImage(request.image).inspect()).Config;
  const container = await docker.createContainer(createOptions(request, source));
  let isOverDiskLimit = false;
  let diskCheck: NodeJS.Timeout | undefined;
  const stopOnAbort = () => void removeContainer(docker, container.id);
  try {
    if (request.copyIn) await copyIn(container, request.copyIn);
    request.signal?.addEventListener('abort', stopOnAbort, { once: true });
    const startedAt = Date.now();
    await container.start();
    const output = await followOutput(container, request);
    // Written means the container's own layer and what the volumes (uv's cache) grew by.
    const volumePaths = request.volumes.map((volume) => volume.containerPath);
    const volumesAtStart = await volumeBytes(container, request.user, volumePaths).catch(() => null);
    let isChecking = false;
    diskCheck = setInterval(() => {
      if (isChecking) return;
      isChecking = true;
      Promise.all([writtenBytes(docker, container.id), volumeBytes(container, request.user, volumePaths)])
        .then(async ([layerBytes, volumesNow]) => {
          const grown =
            volumesAtStart === null || volumesNow === null ? 0 : Math.max(0, volumesNow - volumesAtStart);
          if (layerBytes + grown <= request.diskLimitMb * bytesPerMb || isOverDiskLimit) return;
          isOverDiskLimit = true;
          await container.kill();
        })
        .catch(() => {}) // gone or already stopped: the wait below tells what happened
        .finally(() => {
          isChecking = false;
        });
    }, diskCheckIntervalMs);
    let exitCode: number;
    try {
      exitCode = (await container.wait()).StatusCode;
    } catch (error) {
      if (request.signal?.aborted) return { outcome: 'stopped' };
      throw error;
    }
    clearInterval(diskCheck);
    if (request.signal?.aborted) return { outcome: 'stopped' };
    await output.ended;
    const lines = output.kept;
    const state = (await container.inspect()).State;
    if (isOverDiskLimit) return { outcome: 'disk-limit', lines };
    if (exitCode === 0) {
      const committed = await container.commit({
        repo: request.commitAs.repository,
        tag: request.commitAs.tag,
        changes: restoringChanges(source, request),
        pause: false,
      });
      const imageId: unknown = committed?.Id;
      if (typeof imageId !== 'string')
        throw new Error(`The engine did not say which image ${request.name} became`);
      return { outcome: 'succeeded', imageId, hadOomKill: state.OOMKilled };
    }
    if (state.OOMKilled) return { outcome: 'out-of-memory', lines };
    // `timeout -s KILL` answers 137 when it had to kill the command.
    const ranSeconds = (Date.now() - startedAt) / 1000;
    if (exitCode === 137 && ranSeconds >= request.timeoutSeconds - 1) return { outcome: 'timed-out', lines };
    return { outcome: 'failed', exitCode, lines };
  } finally {
    if (diskCheck) clearInterval(diskCheck);
    request.signal?.removeEventListener('abort', stopOnAbort);
    await removeContainer(docker, container.id);
  }
}

/** Removes the volumes carrying all the labels; one still in use stays (and is not listed). */
export async function removeVolumesWithDocker(
  docker: Docker,
  labels: Record<string, string>,
): Promise<string[]> {
  const answer = await docker.listVolumes({
    filters: { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) },
  });
  const removed: string[] = [];
  for (const volume of answer.Volumes ?? []) {
    try {
      await docker.getVolume(volume.Name).remove();
      removed.push(volume.Name);
    } catch (error) {
      const code = statusCodeOf(error);
      if (code !== 404 && code !== 409) throw error;
    }
  }
  return removed;
}
