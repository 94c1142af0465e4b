// Postgres's side of a backup: one consistent snapshot (a repeatable-read transaction whose snapshot
// pg_dump shares, so the manifest's counts and the dump see the same rows), a restore into an empty
// database, and the migration level of a database and of this checkout.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { migrationsFolder } from '../db/migrate';
import { BackupError, runTool } from './tools';

const hourMs = 60 * 60 * 1000;

/** libpq's own variables: the password never appears on a command line. */
export function libpqEnvironment(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = {
    PGHOST: decodeURIComponent(url.hostname),
    PGPORT: url.port || '5432',
    PGDATABASE: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const sslMode = url.searchParams.get('sslmode');
  if (sslMode) env.PGSSLMODE = sslMode;
  return env;
}

/** Debian keeps every installed version's programs apart: the one of the server's version first. */
function postgresProgram(name: 'pg_dump' | 'pg_restore', serverMajor: number): string {
  const matching = `/usr/lib/postgresql/${serverMajor}/bin/${name}`;
  return existsSync(matching) ? matching : name;
}

async function checkProgramVersion(program: string, serverMajor: number): Promise<void> {
  const said = await runTool(program, ['--version'], { timeoutMs: 10_000 });
  const major = Number(/(\d+)(\.\d+)?/.exec(said)?.[1]);
  if (major < serverMajor) {
    throw new BackupError(
      `${program} is version ${major}, older than the Postgres ${serverMajor} server: install postgresql-client-${serverMajor}.`,
    );
  }
}

const journal = z.object({
  entries: z.array(z.object({ idx: z.number(), when: z.number(), tag: z.string() })),
});

/** The migrations this checkout has, in order. */
export async function checkoutMigrations(): Promise<{ when: number; tag: string }[]> {
  const text = await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8');
  return journal.parse(JSON.parse(text)).entries.sort((a, b) => a.idx - b.idx);
}

export interface MigrationLevel {
  /** How many of the migrations were applied. */
  count: number;
  /** The last one's name (e.g. 0013_tls_certificates), null when it is not one this checkout has. */
  latest: string | null;
}

async function readMigrationLevel(client: pg.ClientBase): Promise<MigrationLevel> {
  const exists = await client.query<{ table: string | null }>(
    "select to_regclass('drizzle.__drizzle_migrations')::text as table",
  );
  if (exists.rows[0]?.table == null) return { count: 0, latest: null };
  const applied = await client.query<{ count: string; last: string | null }>(
    'select count(*) as count, max(created_at)::text as last from drizzle.__drizzle_migrations',
  );
  const row = applied.rows[0];
  const last = row?.last == null ? null : Number(row.last);
  const known = await checkoutMigrations();
  return {
    count: Number(row?.count ?? 0),
    latest: known.find((migration) => migration.when === last)?.tag ?? null,
  };
}

export interface SnapshotCounts {
  workspaces: number;
  users: number;
  apps: number;
  deployments: number;
  appSecrets: number;
  uploads: number;
  certificates: number;
  historyEntries: number;
}

const countedTables: readonly [keyof SnapshotCounts, string][] = [
  ['workspaces', 'workspaces'],
  ['users', 'users'],
  ['apps', 'apps'],
  ['deployments', 'deployments'],
  ['appSecrets', 'app_secrets'],
  ['uploads', 'app_uploads'],
  ['certificates', 'tls_certificates'],
  ['historyEntries', 'app_transitions'],
];

/** The rows of each table; 0 for a table the database's migration level does not have yet. */
async function publicTables(client: pg.ClientBase): Promise<Set<string>> {
  const existing = await client.query<{ name: string }>(
    "select tablename as name from pg_tables where schemaname = 'public'",
  );
  return new Set(existing.rows.map((row) => row.name));
}

async function readCounts(client: pg.ClientBase, names: Set<string>): Promise<SnapshotCounts> {
  const counts: SnapshotCounts = {
    workspaces: 0,
    users: 0,
    apps: 0,
    deployments: 0,
    appSecrets: 0,
    uploads: 0,
    certificates: 0,
    historyEntries: 0,
  };
  for (const [key, table] of countedTables) {
    if (!names.has(table)) continue;
    const result = await client.query<{ count: string }>(`select count(*) as count from "${table}"`);
    counts[key] = Number(result.rows[0]?.count ?? 0);
  }
  return counts;
}

/** Where values sealed with the master key are kept (secrets/rotate.ts re-wraps the same). */
const sealedColumns: readonly [string, string][] = [
  ['apps', 'webhook_secret_ciphertext'],
  ['app_secrets', 'ciphertext'],
  ['tls_certificates', 'key_ciphertext'],
  ['acme_accounts', 'key_ciphertext'],
];

/** The ids of the master keys the stored values were sealed with (fingerprints, not keys). */
async function readSealingKeyIds(client: pg.ClientBase, names: Set<string>): Promise<string[]> {
  const selects = sealedColumns
    .filter(([table]) => names.has(table))
    .map(
      ([table, column]) =>
        `select split_part("${column}", '.', 2) as key_id from "${table}" where "${column}" like 'v2.%'`,
    );
  if (selects.length === 0) return [];
  const result = await client.query<{ key_id: string }>(
    `select distinct key_id from (${selects.join(' union all ')}) as sealed where key_id <> '' order by key_id`,
  );
  return result.rows.map((row) => row.key_id);
}

export interface DumpResult {
  serverVersion: string;
  migrations: MigrationLevel;
  counts: SnapshotCounts;
  sealedWith: string[];
}

async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new BackupError(
      `Cannot reach the database (COVE_DATABASE_URL): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return client;
}

async function serverMajorVersion(client: pg.ClientBase): Promise<{ version: string; major: number }> {
  const result = await client.query<{ server_version: string }>('show server_version');
  const version = result.rows[0]?.server_version ?? '';
  return { version, major: Number(/^(\d+)/.exec(version)?.[1] ?? 0) };
}

/**
 * Dumps the whole database in pg_dump's custom format to `file`, from the same snapshot its
 * counts are read in: the dump is consistent while the platform keeps writing.
 */
export async function dumpDatabase(
  databaseUrl: string,
  file: string,
  signal?: AbortSignal,
): Promise<DumpResult> {
  const client = await connect(databaseUrl);
  try {
    const server = await serverMajorVersion(client);
    const program = postgresProgram('pg_dump', server.major);
    await checkProgramVersion(program, server.major);
    await client.query('begin transaction isolation level repeatable read read only');
    const snapshot = await client.query<{ id: string }>('select pg_export_snapshot() as id');
    const snapshotId = snapshot.rows[0]?.id ?? '';
    const migrations = await readMigrationLevel(client);
    const tables = await publicTables(client);
    const counts = await readCounts(client, tables);
    const sealedWith = await readSealingKeyIds(client, tables);
    await runTool(program, ['--format=custom', `--snapshot=${snapshotId}`, '--no-password', '--file', file], {
      env: libpqEnvironment(databaseUrl),
      timeoutMs: 6 * hourMs,
      ...(signal ? { signal } : {}),
    });
    await client.query('commit');
    return { serverVersion: server.version, migrations, counts, sealedWith };
  } finally {
    await client.end();
  }
}

export interface DatabaseState {
  /** Tables outside Postgres's own schemas. */
  tableCount: number;
  /** Other sessions on the database (a running dashboard or builder). */
  otherConnections: number;
  appCount: number | null;
}

export async function describeDatabase(databaseUrl: string): Promise<DatabaseState> {
  const client = await connect(databaseUrl);
  try {
    const tables = await client.query<{ count: string }>(
      `select count(*) as count from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    const others = await client.query<{ count: string }>(
      'select count(*) as count from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    const hasApps = await client.query<{ table: string | null }>(
      "select to_regclass('public.apps')::text as table",
    );
    const apps =
      hasApps.rows[0]?.table == null
        ? null
        : Number(
            (await client.query<{ count: string }>('select count(*) as count from apps')).rows[0]?.count,
          );
    return {
      tableCount: Number(tables.rows[0]?.count ?? 0),
      otherConnections: Number(others.rows[0]?.count ?? 0),
      appCount: apps,
    };
  } finally {
    await client.end();
  }
}

/** Drops what a dump holds (public and drizzle's schema) so the restore starts from nothing. */
export async function emptyDatabase(databaseUrl: string): Promise<void> {
  const client = await connect(databaseUrl);
  try {
    await client.query('begin');
    await client.query('drop schema if exists drizzle cascade');
    await client.query('drop schema if exists public cascade');
    await client.query('create schema public');
    await client.query('commit');
  } finally {
    await client.end();
  }
}

/** Restores a custom-format dump into an empty database, all or nothing. */
export async function restoreDatabase(databaseUrl: string, file: string): Promise<void> {
  const client = await connect(databaseUrl);
  let major: number;
  try {
    major = (await serverMajorVersion(client)).major;
  } finally {
    await client.end();
  }
  const program = postgresProgram('pg_restore', major);
  const env = libpqEnvironment(databaseUrl);
  await runTool(
    program,
    [
      '--no-owner',
      '--no-acl',
      '--exit-on-error',
      '--single-transaction',
      '--no-password',
      '--dbname',
      env.PGDATABASE ?? '',
      file,
    ],
    { env, timeoutMs: 6 * hourMs },
  );
}

export async function databaseMigrationLevel(databaseUrl: string): Promise<MigrationLevel> {
  const client = await connect(databaseUrl);
  try {
    return await readMigrationLevel(client);
  } finally {
    await client.end();
  }
}
