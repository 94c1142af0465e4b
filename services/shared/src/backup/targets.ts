// Where backups go and come from: a folder (each backup a sub-folder named by its time, written
// under a temporary name and renamed once complete) or a restic repository (`restic:<repository>`).
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { manifestFile, parseManifest } from './manifest';
import { forgetOldResticSnapshots, listResticSnapshots, readFromRestic, writeToRestic } from './restic';
import { BackupError } from './tools';

export type BackupTarget = { kind: 'folder'; path: string } | { kind: 'restic'; repository: string };

const resticPrefix = 'restic:';
const backupFolderPattern = /^cove-backup-\d{8}T\d{6}Z$/;

export function parseTarget(value: string): BackupTarget {
  const trimmed = value.trim();
  if (trimmed.startsWith(resticPrefix)) {
    const repository = trimmed.slice(resticPrefix.length);
    if (repository === '')
      throw new BackupError('restic: needs the repository after it, e.g. restic:/srv/restic/cove.');
    return { kind: 'restic', repository };
  }
  if (trimmed === '') throw new BackupError('Say where the backup goes: a folder, or restic:<repository>.');
  return { kind: 'folder', path: path.resolve(trimmed) };
}

export function describeTarget(target: BackupTarget): string {
  return target.kind === 'folder' ? target.path : `restic repository ${target.repository}`;
}

/** cove-backup-20261207T201500Z: sorts as it was taken. */
export function backupFolderName(takenAt: Date): string {
  return `cove-backup-${takenAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export interface StoredBackup {
  /** The folder's name or the restic snapshot's id. */
  id: string;
  takenAt: Date;
}

async function listFolderBackups(folder: string): Promise<StoredBackup[]> {
  if (!existsSync(folder)) return [];
  const names = (await readdir(folder)).filter(
    (name) => backupFolderPattern.test(name) && existsSync(path.join(folder, name, manifestFile)),
  );
  const backups: StoredBackup[] = [];
  for (const name of names.sort()) {
    const parsed = parseManifest(await readFile(path.join(folder, name, manifestFile), 'utf8'));
    if ('manifest' in parsed) backups.push({ id: name, takenAt: new Date(parsed.manifest.createdAt) });
  }
  return backups;
}

export async function listBackups(target: BackupTarget): Promise<StoredBackup[]> {
  if (target.kind === 'restic') {
    return (await listResticSnapshots(target.repository)).map((snapshot) => ({
      id: snapshot.id,
      takenAt: snapshot.time,
    }));
  }
  return listFolderBackups(target.path);
}

/**
 * Stores the staged backup folder; answers where (a folder's path, a snapshot's id). A folder
 * target's staged folder is already inside it (stagingFolderFor), so this is a rename.
 */
export async function storeBackup(
  target: BackupTarget,
  staged: string,
  name: string,
  signal?: AbortSignal,
): Promise<{ location: string; note: string | null }> {
  if (target.kind === 'restic') {
    const { snapshotId, isNewRepository } = await writeToRestic(target.repository, staged, signal);
    return {
      location: `restic:${target.repository} snapshot ${snapshotId}`,
      note: isNewRepository ? `Created the restic repository ${target.repository}.` : null,
    };
  }
  const final = path.join(target.path, name);
  await rename(staged, final);
  return { location: final, note: null };
}

/** Where to stage a backup before it is stored: in the target folder itself, so storing is atomic. */
export function stagingFolderFor(target: BackupTarget, name: string, scratch: string): string {
  return target.kind === 'folder' ? path.join(target.path, `.${name}.partial`) : path.join(scratch, name);
}

export async function keepNewestBackups(target: BackupTarget, keep: number): Promise<string[]> {
  if (target.kind === 'restic') {
    await forgetOldResticSnapshots(target.repository, keep);
    return [];
  }
  const backups = await listFolderBackups(target.path);
  const removed = backups.slice(0, Math.max(0, backups.length - keep)).map((backup) => backup.id);
  for (const name of removed) await rm(path.join(target.path, name), { recursive: true, force: true });
  return removed;
}

/**
 * A local folder holding the backup to restore: the folder given when it is one backup, the newest
 * (or `backupId`) of a folder of backups, or one unpacked from restic into `scratch`.
 */
export async function fetchBackup(
  source: BackupTarget,
  backupId: string | null,
  scratch: string,
): Promise<{ folder: string; id: string }> {
  if (source.kind === 'restic') {
    const folder = path.join(scratch, 'restored');
    const id = await readFromRestic(source.repository, backupId, folder);
    return { folder, id };
  }
  if (!existsSync(source.path)) throw new BackupError(`There is no folder ${source.path}.`);
  if (backupId === null && existsSync(path.join(source.path, manifestFile))) {
    return { folder: source.path, id: path.basename(source.path) };
  }
  const backups = await listFolderBackups(source.path);
  const chosen = backupId === null ? backups.at(-1) : backups.find((backup) => backup.id === backupId);
  if (!chosen) {
    throw new BackupError(
      backupId === null
        ? `${source.path} holds no Cove backup (a folder with ${manifestFile}, or cove-backup-* folders of them).`
        : `${source.path} has no backup ${backupId}; it has: ${backups.map((backup) => backup.id).join(', ') || 'none'}.`,
    );
  }
  return { folder: path.join(source.path, chosen.id), id: chosen.id };
}
