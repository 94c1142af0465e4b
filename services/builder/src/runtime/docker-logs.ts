// Following one container's output line by line on an engine: Docker's own containers, and the
// containers of Swarm tasks on their node's engine.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { LineSplitter } from './log-lines';
import type { LogFollower } from './types';

export async function followContainerLogs(
  docker: Docker,
  containerId: string,
  sinceSeconds: number,
  onLine: (line: string) => void,
): Promise<LogFollower> {
  const stream = await docker
    .getContainer(containerId)
    .logs({ stdout: true, stderr: true, follow: true, since: sinceSeconds });
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const outputs = { stdout: new PassThrough(), stderr: new PassThrough() };
  for (const kind of ['stdout', 'stderr'] as const) {
    outputs[kind].on('data', (chunk: Buffer) => {
      for (const line of splitters[kind].push(chunk.toString('utf8'))) onLine(line);
    });
  }
  docker.modem.demuxStream(stream, outputs.stdout, outputs.stderr);
  const ended = new Promise<void>((resolve) => {
    const finish = () => {
      for (const kind of ['stdout', 'stderr'] as const)
        for (const line of splitters[kind].end()) onLine(line);
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
  return {
    ended,
    stop() {
      if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
    },
  };
}
