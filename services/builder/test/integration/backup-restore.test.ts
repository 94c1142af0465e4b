// Backups as an operator meets them: an app with secrets and a history, backed up on the builder's
// schedule into a folder and by `npm run backup` into a restic repository; then the platform is
// wiped (database dropped, Redis emptied, containers and images removed) and `npm run restore`
// brings it back: the builder builds the app again from its commit, and it serves with its secrets
// and its history.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { replaceSecrets } from '@cove/shared/apps/secrets';
import { readBackupStatus } from '@cove/shared/backup/schedule';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { queuePrefix } from '@cove/shared/jobs/catalogue';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { listAppHistory } from '@cove/shared/lifecycle/history';
import { createLogger } from '@cove/shared/logs/logger';
import { masterKeyId } from '@cove/shared/secrets/crypto';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { withAdminClient } from '@cove/shared/testing/template-database';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningBuilder, startBuilder } from '../../src/builder';
import {
  buildAndWait,
  cleanUpMachine,
  containersOf,
  health,
  insertApp,
  readApp,
  readDeployment,
  removeDockerObjects,
  runPythonAsApp,
} from './fixture';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../../..');
let context: TestContext;
let git: GitServer;
let builder: RunningBuilder | undefined;
let scratch: string;

beforeAll(async () => {
  context = await createTestContext();
  git = await startGitServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'cove-backup-test-'));
});

afterAll(async () => {
  await builder?.stop();
  await cleanUpMachine(context);
  await git?.close();
  await context?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function startTestBuilder(overrides: Record<string, string> = {}, log?: string[]): Promise<RunningBuilder> {
  const config = parseConfig(builderConfigSchema, { ...context.env, ...overrides });
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => log?.push(chunk.toString('utf8')));
  const logger = log
    ? createLogger('builder-test', 'info', destination)
    : createLogger('builder-test', config.COVE_LOG_LEVEL);
  return startBuilder(config, logger, { drainMs: 5_000 });
}

/** An operator command (`npm run backup`, `npm run restore`) as a person runs it. */
async function operatorCommand(
  script: 'backup-cli.ts' | 'restore-cli.ts',
  args: string[],
  env: Record<string, string>,
): Promise<{ exitCode: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      'npx',
      ['tsx', path.join(repoRoot, 'services/shared/src/backup', script), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, COVE_DATABASE_URL: context.databaseUrl, ...env },
        timeout: 120_000,
      },
    );
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

async function deleteKeys(pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await context.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await context.redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Everything of the platform gone: its database dropped and made again empty, Redis, Docker. */
async function wipePlatform(): Promise<void> {
  const name = new URL(context.databaseUrl).pathname.slice(1);
  await withAdminClient(async (client) => {
    await client.query(`drop database "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  });
  expect(await deleteKeys(`cove:${context.instance}:*`)).toBeGreaterThan(0);
  await deleteKeys(`${queuePrefix(context.instance)}:*`);
  await removeDockerObjects(context.instance);
}

test('a backup brings a wiped platform back: the app serves again with its secrets and history', async () => {
  const greeting = `kept-${randomUUID()}`;
  // The script reads its secret: its first run (the deploy's script health check) fails without it.
  await git.createRepo('keeper', {
    'app.py': 'import streamlit as st\nst.write("the greeting is " + st.secrets["GREETING"])\n',
  });
  const app = await insertApp(context, { name: 'keeper', repoUrl: git.repoUrl('keeper') });
  const [user] = await context.db
    .insert(schema.users)
    .values({ email: `${randomUUID()}@example.com`, passwordHash: 'unused' })
    .returning();
  const queues = openJobQueues(context.redis, context.instance);
  const deps = {
    db: context.db,
    redis: context.redis,
    queues,
    config: parseConfig(builderConfigSchema, context.env),
  };
  await replaceSecrets(
    deps,
    { workspaceId: app.workspaceId, userId: user?.id ?? '' },
    app.name,
    `GREETING = "${greeting}"\n`,
  );

  // Two versions, so there is a history: the first build, then a push.
  builder = await startTestBuilder();
  const first = await buildAndWait({ context, queues }, app);
  expect(first.deployment.status).toBe('running');
  const pushed = await git.commit('keeper', { 'README.md': 'second version\n' }, 'Second version');
  const second = await buildAndWait({ context, queues }, app, pushed);
  expect(second.deployment.status).toBe('running');
  await queues.close();
  await builder.stop();
  builder = undefined;
  const historyBefore = await listAppHistory(context.db, app.workspaceId, app.appId);
  const deploymentsBefore = await context.db
    .select({ id: schema.deployments.id, status: schema.deployments.status })
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.appId));

  // The builder takes the scheduled backup (the first is due at once) into a folder.
  const folder = path.join(scratch, 'folder');
  builder = await startTestBuilder({
    COVE_BACKUP_SCHEDULE: 'hourly',
    COVE_BACKUP_TARGET: folder,
    COVE_BACKUP_KEEP: '2',
  });
  const status = await waitFor(
    async () => {
      const current = await readBackupStatus(context.redis, context.instance);
      return current.lastRun ? current : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the scheduled backup' },
  );
  expect(status.lastRun).toMatchObject({ isOk: true, error: null });
  await builder.stop();
  builder = undefined;
  const [backupName, ...others] = await readdir(folder);
  expect(others).toEqual([]);
  expect(status.lastRun?.location).toBe(path.join(folder, backupName ?? ''));
  const manifest = JSON.parse(await readFile(path.join(folder, backupName ?? '', 'manifest.json'), 'utf8'));
  expect(manifest).toMatchObject({
    format: 'cove-backup',
    contents: { apps: 1, deployments: 2, appSecrets: 1 },
    masterKey: { isIncluded: false },
  });
  // The fingerprint of the key the secrets were sealed with, never the key.
  expect(manifest.masterKey.sealedWith).toEqual([masterKeyId(context.env.COVE_MASTER_KEY ?? '')]);
  expect(JSON.stringify(manifest)).not.toContain(context.env.COVE_MASTER_KEY);
  expect(manifest.masterKey.note).toMatch(/master key is not in this backup.*COVE_MASTER_KEY/);
  expect(await readFile(path.join(folder, backupName ?? '', 'README.txt'), 'utf8')).toMatch(
    /The master key is not in this backup/,
  );
  const statusCommand = await operatorCommand('backup-cli.ts', ['--status'], {
    COVE_REDIS_URL: context.redisUrl,
    COVE_INSTANCE: context.instance,
    COVE_BACKUP_SCHEDULE: 'hourly',
    COVE_BACKUP_TARGET: folder,
  });
  expect(statusCommand).toMatchObject({ exitCode: 0 });
  expect(statusCommand.output).toContain(
    `Last scheduled run: ${status.lastRun?.startedAt}, into ${folder}/${backupName}`,
  );
  expect(statusCommand.output).toContain(`In ${folder}: 1 backups, the newest ${backupName}`);

  // And by hand into a restic repository (made on first use), its password in a file.
  const passwordFile = path.join(scratch, 'restic-password');
  await writeFile(passwordFile, `${randomUUID()}\n`, { mode: 0o600 });
  const repository = `restic:${path.join(scratch, 'restic')}`;
  const resticEnv = { RESTIC_PASSWORD_FILE: passwordFile };
  const manual = await operatorCommand('backup-cli.ts', ['--to', repository], resticEnv);
  expect(manual).toMatchObject({ exitCode: 0 });
  expect(manual.output).toMatch(
    /Backed up 1 apps, 2 deployments, 1 apps' secrets, .* snapshot [0-9a-f]{8}\./,
  );
  expect(manual.output).toContain('The master key is not in this backup');

  await wipePlatform();
  expect(await containersOf(context.instance)).toEqual([]);

  // Restored from restic into the empty database; then the folder's backup is refused over it
  // unless forced.
  const fromRestic = await operatorCommand('restore-cli.ts', ['--from', repository], {
    ...resticEnv,
    COVE_MASTER_KEY: context.env.COVE_MASTER_KEY ?? '',
  });
  expect(fromRestic).toMatchObject({ exitCode: 0 });
  expect(fromRestic.output).toMatch(/Restored backup [0-9a-f]{8} .*1 apps, 2 deployments/);
  expect(fromRestic.output).toContain('is the one the secrets were sealed with');
  expect(fromRestic.output).toContain('What happens next');
  const refused = await operatorCommand('restore-cli.ts', ['--from', folder], {});
  expect(refused.exitCode).toBe(1);
  expect(refused.output).toContain("The database already holds Cove's data (1 apps)");
  const forced = await operatorCommand('restore-cli.ts', ['--from', folder, '--force'], {});
  expect(forced).toMatchObject({ exitCode: 0 });
  expect(forced.output).toContain(`Restored backup ${backupName}`);

  // The builder finds no image for the live version and builds its commit again.
  builder = await startTestBuilder();
  const live = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      if (row.status !== 'running' || row.liveDeploymentId === second.deployment.id || !row.liveDeploymentId)
        return undefined;
      const deployment = await readDeployment(context, row.liveDeploymentId);
      return deployment.hostPort !== null && deployment.containerId !== null ? deployment : undefined;
    },
    { timeoutMs: 150_000, intervalMs: 500, description: 'the restored app to be built again and live' },
  );
  expect(live).toMatchObject({ trigger: 'rebuild', commitSha: pushed, status: 'running' });
  expect(await health(live.hostPort ?? 0)).toBe('ok');
  const seen = await runPythonAsApp(
    live.containerId ?? '',
    'import streamlit as st\nprint(st.secrets["GREETING"])',
  );
  expect(seen.trim()).toBe(greeting);

  // Its history is all there, with the rebuild after it.
  const historyAfter = await listAppHistory(context.db, app.workspaceId, app.appId);
  const idsAfter = new Set(historyAfter.map((entry) => entry.id));
  expect(historyBefore.filter((entry) => !idsAfter.has(entry.id))).toEqual([]);
  expect(historyAfter.some((entry) => entry.deploymentId === live.id && entry.toStatus === 'running')).toBe(
    true,
  );
  const deploymentsAfter = await context.db
    .select({ id: schema.deployments.id })
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.appId));
  expect(deploymentsAfter.map((row) => row.id)).toEqual(
    expect.arrayContaining(deploymentsBefore.map((row) => row.id)),
  );
});

test('a scheduled backup that fails says why, in the log and in npm run backup -- --status', async () => {
  await builder?.stop();
  // A restic repository without its password in the builder's environment.
  const target = `restic:${path.join(scratch, 'no-password')}`;
  const failing = { COVE_BACKUP_SCHEDULE: 'daily', COVE_BACKUP_TARGET: target };
  await context.redis.del(`cove:${context.instance}:backup:last-run`);
  const log: string[] = [];
  builder = await startTestBuilder(failing, log);
  const status = await waitFor(
    async () => {
      const current = await readBackupStatus(context.redis, context.instance);
      return current.lastRun ? current : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the scheduled backup to fail' },
  );
  expect(status.lastRun).toMatchObject({ isOk: false, location: null });
  expect(status.lastRun?.error).toMatch(/restic needs the repository's password: set RESTIC_PASSWORD_FILE/);
  const logged = log
    .join('')
    .split('\n')
    .filter((line) => line.includes('scheduled backup failed'));
  expect(logged).toHaveLength(1);
  expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({ level: 50, target, reason: status.lastRun?.error });
  const statusCommand = await operatorCommand('backup-cli.ts', ['--status'], {
    COVE_REDIS_URL: context.redisUrl,
    COVE_INSTANCE: context.instance,
    ...failing,
  });
  expect(statusCommand.exitCode).toBe(1);
  expect(statusCommand.output).toContain("failed: restic needs the repository's password");
  // The wipe above emptied Redis, where the earlier success was recorded.
  expect(statusCommand.output).toContain('Last success: none');
});
