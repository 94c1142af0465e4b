// Backups and restores against a real Postgres: a backup of an older Cove is migrated forward,
// one of a newer Cove and a damaged dump are refused, and a folder keeps only the newest backups.
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBackup } from '../../src/backup/backup';
import { checkoutMigrations, databaseMigrationLevel } from '../../src/backup/postgres';
import { restoreBackup } from '../../src/backup/restore';
import { connectDatabase } from '../../src/db/client';
import { migrationsFolder } from '../../src/db/migrate';
import { databaseUrl, dropDatabase, withAdminClient } from '../../src/testing/template-database';

const suffix = Math.random().toString(16).slice(2, 10);
const olderName = `cove_test_backup_older_${suffix}`;
const restoredName = `cove_test_backup_restored_${suffix}`;
let scratch: string;

async function createDatabase(name: string): Promise<string> {
  await withAdminClient((client) => client.query(`create database "${name}"`));
  return databaseUrl(name);
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cove-backup-'));
});

afterAll(async () => {
  await dropDatabase(olderName);
  await dropDatabase(restoredName);
  await rm(scratch, { recursive: true, force: true });
});

test('an older backup is migrated forward; a newer or damaged one is refused; old ones are trimmed', async () => {
  // A database of the Cove before the newest migration: the migrations folder without it.
  const known = await checkoutMigrations();
  const olderFolder = path.join(scratch, 'older-migrations');
  await cp(migrationsFolder, olderFolder, { recursive: true });
  const journalFile = path.join(olderFolder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8'));
  journal.entries = journal.entries.slice(0, -1);
  await writeFile(journalFile, JSON.stringify(journal));
  const olderUrl = await createDatabase(olderName);
  const handle = connectDatabase(olderUrl, { maxConnections: 1 });
  await migrate(handle.db, { migrationsFolder: olderFolder });
  await handle.close();

  const folder = path.join(scratch, 'backups');
  const first = await createBackup({
    databaseUrl: olderUrl,
    target: { kind: 'folder', path: folder },
    keep: 2,
    now: new Date('2026-12-01T10:00:00Z'),
  });
  expect(first.manifest.migrations).toEqual({ count: known.length - 1, latest: known.at(-2)?.tag });

  const restoredUrl = await createDatabase(restoredName);
  const restored = await restoreBackup({
    databaseUrl: restoredUrl,
    source: { kind: 'folder', path: folder },
    backupId: null,
    isForced: false,
  });
  expect(restored).toMatchObject({ backupId: 'cove-backup-20261201T100000Z', migratedForward: 1 });
  expect(await databaseMigrationLevel(restoredUrl)).toEqual({
    count: known.length,
    latest: known.at(-1)?.tag,
  });

  // Taken by a newer Cove: refused before the database is touched.
  const manifestFile = path.join(first.location, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  await writeFile(
    manifestFile,
    JSON.stringify({ ...manifest, migrations: { count: known.length + 1, latest: null } }),
  );
  const restoreAgain = () =>
    restoreBackup({
      databaseUrl: restoredUrl,
      source: { kind: 'folder', path: first.location },
      backupId: null,
      isForced: true,
    });
  await expect(restoreAgain()).rejects.toThrow(
    /taken by a newer Cove .* Restore it with a checkout at least as new/,
  );
  await writeFile(manifestFile, JSON.stringify(manifest));
  // A damaged dump: refused by its checksum.
  await appendFile(path.join(first.location, 'database.dump'), 'x');
  await expect(restoreAgain()).rejects.toThrow(/checksum differs/);
  expect(await databaseMigrationLevel(restoredUrl)).toEqual({
    count: known.length,
    latest: known.at(-1)?.tag,
  });

  // Keeping two: the third backup removes the first.
  await createBackup({
    databaseUrl: olderUrl,
    target: { kind: 'folder', path: folder },
    keep: 2,
    now: new Date('2026-12-02T10:00:00Z'),
  });
  const third = await createBackup({
    databaseUrl: olderUrl,
    target: { kind: 'folder', path: folder },
    keep: 2,
    now: new Date('2026-12-03T10:00:00Z'),
  });
  expect(third.removed).toEqual(['cove-backup-20261201T100000Z']);
  expect((await readdir(folder)).sort()).toEqual([
    'cove-backup-20261202T100000Z',
    'cove-backup-20261203T100000Z',
  ]);
});
