// `cove deploy ./folder` packs the folder as a gzipped tar: every file and symbolic link under it,
// less what its .gitignore and .coveignore files leave out (each applies to its own folder and
// below, as git reads them; .coveignore for what git keeps but the app does not need) and the .git
// folder. Links are kept as links (Cove refuses one that points outside the folder); other special
// files are left out.
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { create } from 'tar';
import { CliError, exitCodes } from './exit-codes';

export const ignoreFileNames = ['.gitignore', '.coveignore'] as const;
const alwaysLeftOut = new Set(['.git']);

interface Rules {
  /** The folder the rules were read in, relative to the root ('' for the root). */
  base: string;
  matcher: Ignore;
}

export interface PackedFolder {
  archive: Buffer;
  /** Files and links packed, relative to the folder, sorted. */
  files: string[];
  /** Their bytes before compression. */
  bytes: number;
}

async function readRules(root: string, folder: string): Promise<Rules | null> {
  const texts: string[] = [];
  for (const name of ignoreFileNames) {
    try {
      texts.push(await readFile(path.join(root, folder, name), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  if (texts.length === 0) return null;
  return { base: folder, matcher: ignore().add(texts.join('\n')) };
}

function isIgnored(rules: readonly Rules[], relative: string, isDirectory: boolean): boolean {
  return rules.some(({ base, matcher }) => {
    const inside = base === '' ? relative : relative.slice(base.length + 1);
    return matcher.ignores(isDirectory ? `${inside}/` : inside);
  });
}

/** The folder's files to deploy, relative to it (posix separators), sorted. */
export async function listFolder(root: string): Promise<{ files: string[]; bytes: number }> {
  const files: string[] = [];
  let bytes = 0;
  async function walk(folder: string, inherited: readonly Rules[]): Promise<void> {
    const own = await readRules(root, folder);
    const rules = own ? [...inherited, own] : inherited;
    const entries = await readdir(path.join(root, folder), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (alwaysLeftOut.has(entry.name)) continue;
      const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!isIgnored(rules, relative, true)) await walk(relative, rules);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && !isIgnored(rules, relative, false)) {
        files.push(relative);
        if (entry.isFile()) bytes += (await lstat(path.join(root, relative))).size;
      }
    }
  }
  await walk('', []);
  return { files: files.sort(), bytes };
}

export async function packFolder(root: string): Promise<PackedFolder> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(root);
  } catch {
    throw new CliError(`There is no folder at ${root}.`, exitCodes.usage);
  }
  if (!stats.isDirectory()) throw new CliError(`${root} is not a folder.`, exitCodes.usage);
  const { files, bytes } = await listFolder(root);
  if (files.length === 0)
    throw new CliError(
      `${root} has nothing to deploy (every file is left out by .gitignore or .coveignore).`,
      exitCodes.usage,
    );
  // portable: no owner names or ids, nor other machine-specific headers.
  const stream = create({ cwd: root, gzip: true, portable: true, noDirRecurse: true, follow: false }, files);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return { archive: Buffer.concat(chunks), files, bytes };
}
