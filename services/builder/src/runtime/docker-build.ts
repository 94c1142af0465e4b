// Image builds through BuildKit (the engine's own, API version 2): the context goes up as a tar
// (tar-fs), BuildKit's progress comes back as protobuf status messages and is handed on as a build
// log, line by line as it arrives. Its build cache is trimmed with pruneBuildCache.
import path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-fs';
import { z } from 'zod';
import { BuildLogRenderer, decodeBuildStatus } from './buildkit-status';
import { LineSplitter, stripAnsi } from './log-lines';
import type { BuildImageRequest, BuildImageResult } from './types';

const buildEvent = z.object({
  id: z.string().optional(),
  stream: z.string().optional(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).optional(),
  aux: z.unknown().optional(),
});

const builtImage = z.object({ ID: z.string() });

function isExcluded(contextDir: string, excludedPaths: readonly string[], name: string): boolean {
  const relative = path.relative(contextDir, name);
  return excludedPaths.some((excluded) => relative === excluded || relative.startsWith(`${excluded}/`));
}

export async function buildImageWithDocker(
  docker: Docker,
  request: BuildImageRequest,
): Promise<BuildImageResult> {
  // tar-fs packs into a streamx stream; dockerode wants a Node stream.
  const context = Readable.from(
    tar.pack(request.contextDir, {
      ignore: (name) => isExcluded(request.contextDir, request.excludedPaths, name),
    }),
    { objectMode: false },
  );
  const stream = await docker.buildImage(context, {
    t: request.tag,
    dockerfile: request.dockerfile,
    labels: request.labels,
    version: '2',
    // The Dockerfile runs nothing (the installs are fenced containers of their own); should a step
    // ever run, it reaches no network rather than the engine's unfenced default bridge.
    networkmode: 'none',
    ...(request.signal ? { abortSignal: request.signal } : {}),
  });

  const lines: string[] = [];
  let imageId: string | undefined;
  let errorMessage: string | undefined;
  const emit = (line: string) => {
    lines.push(line);
    request.onLine(line);
  };
  const renderer = new BuildLogRenderer(emit);
  // The engine's own words outside BuildKit's messages (e.g. "Successfully tagged ...").
  const engineOutput = new LineSplitter();

  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (raw: unknown) => {
        const event = buildEvent.safeParse(raw);
        if (!event.success) return;
        const { id, aux, stream: text } = event.data;
        if (id === 'moby.buildkit.trace' && typeof aux === 'string') {
          try {
            renderer.push(decodeBuildStatus(aux));
          } catch (error) {
            emit(`(a progress message of the engine could not be read: ${String(error)})`);
          }
        }
        if (id === 'moby.image.id') imageId = builtImage.safeParse(aux).data?.ID ?? imageId;
        if (text !== undefined) {
          for (const line of engineOutput.push(stripAnsi(text))) emit(line);
        }
        const error = event.data.errorDetail?.message ?? event.data.error;
        if (error !== undefined) {
          renderer.end();
          errorMessage = stripAnsi(error).trim();
          emit(errorMessage);
        }
      },
    );
  });
  renderer.end();
  for (const line of engineOutput.end()) emit(line);

  if (errorMessage !== undefined) return { isSuccess: false, errorMessage, lines };
  return { isSuccess: true, imageId: imageId ?? request.tag };
}

const pruneAnswer = z.object({ SpaceReclaimed: z.number() });

/**
 * Removes BuildKit's least recently used cache (step results, cache mounts) until the engine holds
 * at most `keepStorageBytes`; what a running build uses stays. dockerode's pruneBuilder sends no
 * options, hence the request by hand.
 */
export async function pruneBuildCache(
  docker: Docker,
  keepStorageBytes: number,
): Promise<{ reclaimedBytes: number }> {
  const answer = await new Promise<unknown>((resolve, reject) => {
    docker.modem.dial(
      {
        path: '/build/prune?',
        method: 'POST',
        options: { 'keep-storage': keepStorageBytes },
        statusCodes: { 200: true, 500: 'server error' },
      },
      (error: Error | null, data: unknown) => (error ? reject(error) : resolve(data)),
    );
  });
  return { reclaimedBytes: pruneAnswer.parse(answer).SpaceReclaimed };
}
