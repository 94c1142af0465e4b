// Brings a backup back into a database: the manifest read and the dump's checksum checked first,
// an older Cove's backup accepted and migrated forward, a newer one's refused, and a database that
// already holds data left alone unless the person said --force.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateDatabase } from '../db/migrate';
import { masterKeyId } from '../secrets/crypto';
import { fileSha256 } from './backup';
import { type BackupManifest, databaseFile, manifestFile, parseManifest } from './manifest';
import {
  checkoutMigrations,
  databaseMigrationLevel,
  describeDatabase,
  emptyDatabase,
  type MigrationLevel,
  restoreDatabase,
} from './postgres';
import { type BackupTarget, fetchBackup } from './targets';
import { BackupError } from './tools';

export interface RestoreResult {
  backupId: string;
  manifest: BackupManifest;
  /** The database's migration level once restored and migrated forward. */
  migrations: MigrationLevel;
  /** Migrations applied after the restore (the backup was taken by an older Cove). */
  migratedForward: number;
  /** Whether COVE_MASTER_KEY (when given) is the key the backup's secrets were sealed with. */
  masterKey: 'matches' | 'differs' | 'not-given' | 'nothing-sealed';
  replacedAppCount: number | null;
}

export async function readBackupManifest(folder: string): Promise<BackupManifest> {
  const file = path.join(folder, manifestFile);
  if (!existsSync(file)) throw new BackupError(`${folder} has no ${manifestFile}: it is not a Cove backup.`);
  const parsed = parseManifest(await readFile(file, 'utf8'));
  if ('problem' in parsed) throw new BackupError(`${folder}: ${parsed.problem}.`);
  return parsed.manifest;
}

function masterKeyState(manifest: BackupManifest, masterKey: string | undefined): RestoreResult['masterKey'] {
  if (manifest.masterKey.sealedWith.length === 0) return 'nothing-sealed';
  if (masterKey === undefined) return 'not-given';
  return manifest.masterKey.sealedWith.includes(masterKeyId(masterKey)) ? 'matches' : 'differs';
}

export async function restoreBackup(options: {
  databaseUrl: string;
  source: BackupTarget;
  /** A folder's backup name or a restic snapshot id; the newest when null. */
  backupId: string | null;
  /** Replace what the database holds. */
  isForced: boolean;
  masterKey?: string;
}): Promise<RestoreResult> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'cove-restore-'));
  try {
    const fetched = await fetchBackup(options.source, options.backupId, scratch);
    const manifest = await readBackupManifest(fetched.folder);
    const dumpPath = path.join(fetched.folder, databaseFile);
    if (!existsSync(dumpPath)) throw new BackupError(`${fetched.folder} has no ${databaseFile}.`);
    if ((await fileSha256(dumpPath)) !== manifest.postgres.sha256) {
      throw new BackupError(
        `${databaseFile} of backup ${fetched.id} is not the one its manifest describes (its checksum differs): the copy is damaged. Restore another backup.`,
      );
    }

    const known = await checkoutMigrations();
    if (manifest.migrations.count > known.length) {
      throw new BackupError(
        `Backup ${fetched.id} was taken by a newer Cove (migration ${manifest.migrations.latest ?? manifest.migrations.count}; this checkout knows ${known.length} migrations, up to ${known.at(-1)?.tag ?? 'none'}). Restore it with a checkout at least as new.`,
      );
    }

    const before = await describeDatabase(options.databaseUrl);
    if (before.tableCount > 0 && !options.isForced) {
      const what =
        before.appCount === null ? `${before.tableCount} tables` : `Cove's data (${before.appCount} apps)`;
      throw new BackupError(
        `The database already holds ${what}; a restore replaces everything in it. Point COVE_DATABASE_URL at an empty database, or run again with --force to replace it.`,
      );
    }
    if (before.otherConnections > 0 && !options.isForced) {
      throw new BackupError(
        `${before.otherConnections} other sessions are connected to the database: stop the dashboard, the builder and the proxy before restoring (or run again with --force).`,
      );
    }
    if (before.tableCount > 0) await emptyDatabase(options.databaseUrl);
    await restoreDatabase(options.databaseUrl, dumpPath);
    await migrateDatabase(options.databaseUrl);
    const migrations = await databaseMigrationLevel(options.databaseUrl);
    return {
      backupId: fetched.id,
      manifest,
      migrations,
      migratedForward: migrations.count - manifest.migrations.count,
      masterKey: masterKeyState(manifest, options.masterKey),
      replacedAppCount: before.tableCount > 0 ? before.appCount : null,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
