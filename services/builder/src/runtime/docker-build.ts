// Image builds through Docker's classic builder: the context goes up as a tar (tar-fs), the
// builder's JSON progress comes back and is handed on line by line as it arrives.
import path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-fs';
import { z } from 'zod';
import { LineSplitter, stripAnsi } from './log-lines';
import type { BuildImageRequest, BuildImageResult } from './types';

const buildEvent = z.object({
  stream: z.string().optional(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).optional(),
  aux: z.object({ ID: z.string().optional() }).optional(),
});

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
    rm: true,
    forcerm: true,
    ...(request.signal ? { abortSignal: request.signal } : {}),
  });

  const lines: string[] = [];
  const splitter = new LineSplitter();
  let imageId: string | undefined;
  let errorMessage: string | undefined;
  const emit = (line: string) => {
    lines.push(line);
    request.onLine(line);
  };

  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (raw: unknown) => {
        const event = buildEvent.safeParse(raw);
        if (!event.success) return;
        if (event.data.stream !== undefined) {
          for (const line of splitter.push(stripAnsi(event.data.stream))) emit(line);
        }
        if (event.data.aux?.ID) imageId = event.data.aux.ID;
        const error = event.data.errorDetail?.message ?? event.data.error;
        if (error !== undefined) {
          for (const line of splitter.end()) emit(line);
          errorMessage = stripAnsi(error).trim();
          emit(errorMessage);
        }
      },
    );
  });
  for (const line of splitter.end()) emit(line);

  if (errorMessage !== undefined) return { isSuccess: false, errorMessage, lines };
  if (imageId === undefined) {
    const built = lines.map((line) => /^Successfully built ([0-9a-f]+)/.exec(line)?.[1]).find(Boolean);
    imageId = built ?? request.tag;
  }
  return { isSuccess: true, imageId };
}
