// Takes one backup: Postgres dumped from one snapshot, a manifest and a README beside it, stored in
// the target, then the target trimmed to the newest `keep`. Postgres is all Cove needs to come back
// (manifest.ts says what is left out and why).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type BackupManifest,
  databaseFile,
  manifestFile,
  masterKeyNote,
  notIncluded,
  readmeFile,
  readmeText,
} from './manifest';
import { dumpDatabase } from './postgres';
import {
  type BackupTarget,
  backupFolderName,
  keepNewestBackups,
  stagingFolderFor,
  storeBackup,
} from './targets';

export interface BackupResult {
  location: string;
  manifest: BackupManifest;
  /** Backups removed past `keep` (folder targets; restic's forget says nothing back). */
  removed: string[];
  notes: string[];
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

export async function createBackup(options: {
  databaseUrl: string;
  target: BackupTarget;
  /** How many backups the target keeps (the newest); none removed when absent. */
  keep?: number;
  now?: Date;
  signal?: AbortSignal;
}): Promise<BackupResult> {
  const { target } = options;
  const takenAt = options.now ?? new Date();
  const name = backupFolderName(takenAt);
  if (target.kind === 'folder') await mkdir(target.path, { recursive: true });
  const scratch = await mkdtemp(path.join(tmpdir(), 'cove-backup-'));
  const staged = stagingFolderFor(target, name, scratch);
  try {
    await mkdir(staged, { recursive: true, mode: 0o700 });
    const dumpPath = path.join(staged, databaseFile);
    const dump = await dumpDatabase(options.databaseUrl, dumpPath, options.signal);
    const manifest: BackupManifest = {
      format: 'cove-backup',
      formatVersion: 1,
      createdAt: takenAt.toISOString(),
      migrations: dump.migrations,
      postgres: {
        serverVersion: dump.serverVersion,
        file: databaseFile,
        bytes: (await stat(dumpPath)).size,
        sha256: await fileSha256(dumpPath),
      },
      contents: dump.counts,
      masterKey: { isIncluded: false, sealedWith: dump.sealedWith, note: masterKeyNote },
      notIncluded,
    };
    await writeFile(path.join(staged, manifestFile), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    await writeFile(path.join(staged, readmeFile), readmeText(manifest), { mode: 0o600 });
    const stored = await storeBackup(target, staged, name, options.signal);
    const removed = options.keep === undefined ? [] : await keepNewestBackups(target, options.keep);
    return { location: stored.location, manifest, removed, notes: stored.note ? [stored.note] : [] };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    if (target.kind === 'folder') await rm(staged, { recursive: true, force: true });
  }
}
