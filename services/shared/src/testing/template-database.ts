// Integration tests each get a database cloned from a template that has every migration applied.
// The template's name carries a hash of migrations/, so a schema change makes a new template and
// concurrent test runs never fight over one.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase, migrationsFolder } from '../db/migrate';

export const testAdminUrl =
  process.env.COVE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';
export const testRedisUrl = process.env.COVE_TEST_REDIS_URL ?? 'redis://127.0.0.1:56379';

export function databaseUrl(name: string): string {
  const url = new URL(testAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(migrationsFolder, { recursive: true })).sort();
  for (const file of files) {
    if (!file.endsWith('.sql') && !file.endsWith('.json')) continue;
    hash.update(file);
    hash.update(await readFile(path.join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testAdminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the migrated template once per schema version; returns its name. */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = `cove_template_${await migrationsHash()}`;
  await withAdminClient(async (client) => {
    await client.query('select pg_advisory_lock(4242)');
    try {
      const existing = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (existing.rowCount === 0) {
        const building = `${name}_building`;
        await client.query(`drop database if exists "${building}"`);
        await client.query(`create database "${building}"`);
        await migrateDatabase(databaseUrl(building));
        await client.query(`alter database "${building}" rename to "${name}"`);
      }
    } finally {
      await client.query('select pg_advisory_unlock(4242)');
    }
  });
  return name;
}

export async function cloneTemplateDatabase(template: string, name: string): Promise<void> {
  await withAdminClient(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database "${name}" template "${template}"`);
        return;
      } catch (error) {
        // Postgres refuses to copy a template another clone is reading at that instant.
        const isBusy = error instanceof Error && /being accessed by other users/.test(error.message);
        if (!isBusy || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50));
      }
    }
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`));
}
