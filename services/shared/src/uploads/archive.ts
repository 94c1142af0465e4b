// A folder deployed without git arrives as a tar archive (gzipped or not). Before it is stored, and
// again before the builder unpacks it, every entry is checked: a path inside the folder (no absolute
// path, no `..`, no backslash), only files, folders and symbolic links that stay inside it (no hard
// links, devices or FIFOs), at most so many files and bytes unpacked (a small archive can unpack to
// a lot, so reading stops as soon as a limit is passed). Its digest is of the content (paths,
// kinds, the executable bit and each file's bytes), not of the archive: packing the same folder
// again, at another time or with another compression, gives the same digest.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Parser, type ReadEntry, Unpack } from 'tar';
import { CoveError } from '../errors';

export interface ArchiveLimits {
  maxUnpackedBytes: number;
  maxFiles: number;
}

export interface ArchiveSummary {
  /** sha256:<hex> of the content. */
  digest: string;
  fileCount: number;
  unpackedBytes: number;
  /** The regular files' paths, relative to the folder, sorted. */
  files: string[];
}

type EntryKind = 'file' | 'directory' | 'symlink';

const entryKinds: Record<string, EntryKind> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
};

const refusedKinds: Record<string, string> = {
  Link: 'a hard link (pack the file itself)',
  CharacterDevice: 'a device',
  BlockDevice: 'a device',
  FIFO: 'a named pipe',
};

function invalid(message: string): CoveError {
  return new CoveError('invalid_input', message);
}

/** The entry's path inside the folder (`./a/b/` -> `a/b`), or why it is refused. */
export function entryPath(raw: string): string {
  if (raw.includes('\0')) throw invalid('The archive has a path with a NUL byte in it.');
  if (raw.includes('\\'))
    throw invalid(`The archive's path "${raw}" has a backslash; use / between folders.`);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw))
    throw invalid(`The archive's path "${raw}" is absolute; pack the folder's contents with relative paths.`);
  const segments = raw.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..'))
    throw invalid(`The archive's path "${raw}" goes up out of the folder (..), which Cove refuses.`);
  return segments.join('/');
}

/** A symbolic link may point only inside the folder, by a relative path. */
function checkLinkTarget(at: string, target: string): void {
  if (target === '' || target.startsWith('/'))
    throw invalid(`The symbolic link "${at}" points to ${target || 'nothing'}, outside the folder.`);
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(at), target));
  if (resolved === '..' || resolved.startsWith('../'))
    throw invalid(`The symbolic link "${at}" points to ${target}, outside the folder.`);
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

interface Visit {
  kind: EntryKind;
  path: string;
  entry: ReadEntry;
}

/** Parses the archive, checking each entry; `visit` sees every accepted one (it must consume it). */
async function parseArchive(
  archive: Buffer,
  limits: ArchiveLimits,
  visit: (accepted: Visit) => void,
): Promise<void> {
  let problem: Error | null = null;
  let entries = 0;
  let unpacked = 0;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (problem) {
        entry.resume();
        return;
      }
      try {
        const refused = refusedKinds[entry.type];
        if (refused)
          throw invalid(`"${entry.path}" in the archive is ${refused}, which Cove does not unpack.`);
        const kind = entryKinds[entry.type];
        // Other kinds are the format's own (long names, extended headers), already applied.
        if (!kind) {
          entry.resume();
          return;
        }
        const at = entryPath(entry.path);
        if (kind === 'symlink') checkLinkTarget(at, entry.linkpath ?? '');
        entries += 1;
        if (entries > limits.maxFiles)
          throw new CoveError(
            'too_large',
            `The folder has more than ${limits.maxFiles} files and folders, the most Cove accepts. Leave out what the app does not need (.coveignore).`,
          );
        entry.on('data', (chunk: Buffer) => {
          unpacked += chunk.length;
          if (unpacked > limits.maxUnpackedBytes && !problem) {
            problem = new CoveError(
              'too_large',
              `The folder unpacks to more than ${megabytes(limits.maxUnpackedBytes)}, the most Cove accepts. Leave out what the app does not need (.coveignore).`,
            );
            parser.abort(problem);
          }
        });
        if (at !== '') visit({ kind, path: at, entry });
        else entry.resume();
      } catch (error) {
        problem = error instanceof Error ? error : new Error(String(error));
        entry.resume();
        parser.abort(problem);
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', (error: Error) => reject(problem ?? archiveError(error)));
    parser.on('abort', (error: Error) => reject(problem ?? archiveError(error)));
    parser.on('end', () => (problem ? reject(problem) : resolve()));
    parser.end(archive);
  });
}

function archiveError(error: Error): CoveError {
  return invalid(
    `That is not a tar archive Cove can read (${error.message}). Send a .tar or .tar.gz of the folder.`,
  );
}

/** Checks the whole archive and computes its content digest. */
export async function inspectArchive(archive: Buffer, limits: ArchiveLimits): Promise<ArchiveSummary> {
  const records = new Map<string, { kind: EntryKind; detail: string }>();
  const pending: Promise<void>[] = [];
  let unpackedBytes = 0;
  await parseArchive(archive, limits, ({ kind, path: at, entry }) => {
    if (kind !== 'file') {
      records.set(at, { kind, detail: kind === 'symlink' ? (entry.linkpath ?? '') : '' });
      entry.resume();
      return;
    }
    const hash = createHash('sha256');
    const isExecutable = ((entry.mode ?? 0o644) & 0o111) !== 0;
    unpackedBytes += entry.size ?? 0;
    pending.push(
      new Promise<void>((resolve) => {
        entry.on('data', (chunk: Buffer) => hash.update(chunk));
        entry.on('end', () => {
          records.set(at, { kind, detail: `${isExecutable ? 'x' : '-'} ${hash.digest('hex')}` });
          resolve();
        });
      }),
    );
  });
  await Promise.all(pending);
  if (records.size === 0) throw invalid('The archive is empty: there is nothing to deploy.');
  const digest = createHash('sha256');
  const paths = [...records.keys()].sort();
  for (const at of paths) {
    const record = records.get(at);
    if (record) digest.update(`${record.kind}\0${at}\0${record.detail}\n`);
  }
  const files = paths.filter((at) => records.get(at)?.kind === 'file');
  return { digest: `sha256:${digest.digest('hex')}`, fileCount: files.length, unpackedBytes, files };
}

/**
 * Unpacks a checked archive into `directory` (which must exist): only its files, folders and
 * links, owned by whoever unpacks, files 0644 or 0755 (executable), folders 0755.
 */
export async function extractArchive(
  archive: Buffer,
  directory: string,
  limits: ArchiveLimits,
): Promise<void> {
  // Checked again: what reaches the builder is what was stored, but the builder trusts no input.
  await inspectArchive(archive, limits);
  await new Promise<void>((resolve, reject) => {
    const unpack = new Unpack({
      cwd: directory,
      strict: true,
      preserveOwner: false,
      noMtime: true,
      filter: (_path, entry) => {
        if (!('type' in entry)) return false;
        const kind = entryKinds[entry.type];
        if (!kind) return false;
        if (kind === 'file') entry.mode = ((entry.mode ?? 0o644) & 0o111) !== 0 ? 0o755 : 0o644;
        if (kind === 'directory') entry.mode = 0o755;
        return true;
      },
    });
    unpack.on('error', (error: Error) => reject(archiveError(error)));
    unpack.on('close', () => resolve());
    unpack.end(archive);
  });
}

export function uploadLimits(config: {
  COVE_UPLOAD_MAX_UNPACKED_MB: number;
  COVE_UPLOAD_MAX_FILES: number;
}): ArchiveLimits {
  return {
    maxUnpackedBytes: Math.floor(config.COVE_UPLOAD_MAX_UNPACKED_MB * 1024 * 1024),
    maxFiles: config.COVE_UPLOAD_MAX_FILES,
  };
}
