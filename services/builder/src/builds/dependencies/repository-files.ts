// Reads the few files dependency detection looks at from the clone. A path that is a symlink
// leading out of the repository is treated as absent: its target is the builder's, not the app's.
import { readFile, stat } from 'node:fs/promises';
import { permanentFailure } from '../../failure';
import { resolveInsideRepository } from '../repository-paths';
import type { RepositoryFiles } from './types';

/** Far above any real dependency file (a large uv.lock is a few hundred kilobytes). */
const maximumBytes = 5 * 1024 * 1024;

async function readInside(directory: string, relativePath: string): Promise<string | null> {
  try {
    const target = await resolveInsideRepository(directory, relativePath);
    if (target.kind !== 'inside') return null;
    const info = await stat(target.path);
    if (!info.isFile()) return null;
    if (info.size > maximumBytes) {
      throw permanentFailure(
        `${relativePath} is larger than 5 MB; Cove does not read a dependency file that large.`,
      );
    }
    return await readFile(target.path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR'))
      return null;
    throw error;
  }
}

export async function readRepositoryFiles(
  directory: string,
  paths: readonly string[],
): Promise<RepositoryFiles> {
  const files = new Map<string, string>();
  for (const relativePath of new Set(paths)) {
    const content = await readInside(directory, relativePath);
    if (content !== null) files.set(relativePath, content);
  }
  return files;
}
