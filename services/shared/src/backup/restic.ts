// A restic repository as a backup target: each backup is one snapshot of one tar file
// (manifest, README and dump, read from stdin), tagged so the repository may hold other things too.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import * as tar from 'tar';
import { z } from 'zod';
import { databaseFile, manifestFile, readmeFile } from './manifest';
import { BackupError, runTool } from './tools';

export const resticTag = 'cove-backup';
const archiveName = 'cove-backup.tar';
const hourMs = 60 * 60 * 1000;

const passwordVariables = ['RESTIC_PASSWORD', 'RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND'];

function resticEnvironment(repository: string): Record<string, string> {
  if (!passwordVariables.some((name) => process.env[name])) {
    throw new BackupError(
      "restic needs the repository's password: set RESTIC_PASSWORD_FILE (a file holding it) or RESTIC_PASSWORD.",
    );
  }
  return { RESTIC_REPOSITORY: repository };
}

function restic(repository: string, args: string[], options: { timeoutMs?: number } = {}) {
  return runTool('restic', args, {
    env: resticEnvironment(repository),
    timeoutMs: options.timeoutMs ?? 10 * 60 * 1000,
  });
}

/** Creates the repository when there is none at that address yet (a wrong password is no reason). */
async function ensureRepository(repository: string): Promise<boolean> {
  try {
    await restic(repository, ['cat', 'config', '--no-lock']);
    return false;
  } catch (error) {
    const isMissing =
      error instanceof BackupError &&
      /Is there a repository at the following location|does not exist/.test(error.message);
    if (!isMissing) throw error;
  }
  await restic(repository, ['init']);
  return true;
}

export async function writeToRestic(
  repository: string,
  stagedFolder: string,
  signal?: AbortSignal,
): Promise<{ snapshotId: string; isNewRepository: boolean }> {
  const isNewRepository = await ensureRepository(repository);
  const archive = tar.create({ cwd: stagedFolder, portable: true }, [manifestFile, readmeFile, databaseFile]);
  const said = await runTool(
    'restic',
    ['backup', '--json', '--stdin', '--stdin-filename', archiveName, '--tag', resticTag],
    {
      env: resticEnvironment(repository),
      input: archive.pipe(new PassThrough()),
      timeoutMs: 6 * hourMs,
      ...(signal ? { signal } : {}),
    },
  );
  // The last line is the summary; the others are progress.
  const summary = said
    .trim()
    .split('\n')
    .map((line) =>
      z.object({ message_type: z.string(), snapshot_id: z.string().optional() }).safeParse(JSON.parse(line)),
    )
    .find((line) => line.success && line.data.message_type === 'summary');
  const snapshotId = summary?.success ? summary.data.snapshot_id : undefined;
  if (!snapshotId) throw new BackupError('restic backup did not say which snapshot it made.');
  return { snapshotId: snapshotId.slice(0, 8), isNewRepository };
}

const snapshots = z.array(z.object({ time: z.string(), short_id: z.string(), id: z.string() }));

export interface ResticSnapshot {
  id: string;
  time: Date;
}

/** The repository's Cove backups, oldest first. */
export async function listResticSnapshots(repository: string): Promise<ResticSnapshot[]> {
  const said = await restic(repository, ['snapshots', '--json', '--no-lock', '--tag', resticTag]);
  return snapshots
    .parse(JSON.parse(said || '[]'))
    .map((snapshot) => ({ id: snapshot.short_id, time: new Date(snapshot.time) }))
    .sort((a, b) => a.time.getTime() - b.time.getTime());
}

/** Unpacks one snapshot (the newest without an id) into `folder`; answers its id. */
export async function readFromRestic(
  repository: string,
  snapshotId: string | null,
  folder: string,
): Promise<string> {
  const all = await listResticSnapshots(repository);
  const chosen =
    snapshotId === null
      ? all.at(-1)
      : all.find((snapshot) => snapshotId.startsWith(snapshot.id) || snapshot.id.startsWith(snapshotId));
  if (!chosen) {
    throw new BackupError(
      snapshotId === null
        ? `The restic repository ${repository} holds no Cove backup (snapshots tagged ${resticTag}).`
        : `The restic repository ${repository} has no Cove backup ${snapshotId}; its backups: ${all.map((snapshot) => snapshot.id).join(', ') || 'none'}.`,
    );
  }
  await mkdir(folder, { recursive: true });
  const archive = path.join(folder, archiveName);
  await runTool('restic', ['dump', '--no-lock', chosen.id, `/${archiveName}`], {
    env: resticEnvironment(repository),
    output: createWriteStream(archive),
    timeoutMs: 6 * hourMs,
  });
  await tar.extract({ file: archive, cwd: folder, strict: true });
  await rm(archive);
  return chosen.id;
}

/** Keeps the newest `keep` Cove backups of the repository and frees the space of the others. */
export async function forgetOldResticSnapshots(repository: string, keep: number): Promise<void> {
  await restic(
    repository,
    ['forget', '--tag', resticTag, '--group-by', 'tags', '--keep-last', String(keep), '--prune'],
    { timeoutMs: hourMs },
  );
}
