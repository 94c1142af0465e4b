// Resolves a path the user names (the main file, a dependency file) inside the clone the way the
// build will read it, following symlinks one component at a time and never looking outside the
// clone: a link that leads out is "outside" whether or not its target exists on the builder host.
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

export type RepositoryPath = { kind: 'inside'; path: string } | { kind: 'outside' } | { kind: 'missing' };

/** As Linux's own bound on symlinks followed in one lookup (ELOOP). */
const maximumLinksFollowed = 40;

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

export async function resolveInsideRepository(
  directory: string,
  relativePath: string,
): Promise<RepositoryPath> {
  const root = await realpath(directory);
  if (path.isAbsolute(relativePath)) return { kind: 'outside' };
  const pending = relativePath.split('/');
  const resolved: string[] = [];
  let linksFollowed = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) return { kind: 'outside' };
      resolved.pop();
      continue;
    }
    // Every component in `resolved` is a real directory inside the root, so this stays inside.
    const candidate = path.join(root, ...resolved, part);
    let isLink: boolean;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (error) {
      if (isMissing(error)) return { kind: 'missing' };
      throw error;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    linksFollowed += 1;
    if (linksFollowed > maximumLinksFollowed) return { kind: 'missing' };
    const target = await readlink(candidate);
    // An absolute target names a path on the builder host, not in the repository.
    if (path.isAbsolute(target)) return { kind: 'outside' };
    pending.unshift(...target.split('/'));
  }
  return { kind: 'inside', path: path.join(root, ...resolved) };
}
