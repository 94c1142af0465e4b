// `npm run backup [-- --to <folder | restic:<repository>>] [--keep <n>]`: one backup of Postgres now.
// `npm run backup -- --status`: the schedule, what its last runs did, and the backups in the target;
// exits 1 when the last run failed, so a monitoring check can call it.
import { Redis } from 'ioredis';
import { z } from 'zod';
import { loadConfigOrExit } from '../config/load';
import { backupSettings, commonConfigSchema } from '../config/schemas';
import { createBackup } from './backup';
import { readCommandLine } from './command-line';
import { type BackupRun, readBackupStatus } from './schedule';
import { describeTarget, listBackups, parseTarget } from './targets';
import { BackupError } from './tools';

const usage = 'Usage: npm run backup [-- --to <folder | restic:<repository>>] [--keep <n>] [--status]';

const options = readCommandLine(
  {
    to: { type: 'string' },
    keep: { type: 'string' },
    status: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  usage,
);
const config = loadConfigOrExit(
  z.object({
    COVE_DATABASE_URL: commonConfigSchema.shape.COVE_DATABASE_URL,
    COVE_REDIS_URL: commonConfigSchema.shape.COVE_REDIS_URL.optional(),
    COVE_INSTANCE: commonConfigSchema.shape.COVE_INSTANCE,
    ...backupSettings,
  }),
);
const where = options.to ?? config.COVE_BACKUP_TARGET;
const keep = options.keep === undefined ? config.COVE_BACKUP_KEEP : Number(options.keep);
if (!Number.isInteger(keep) || keep < 1) {
  process.stderr.write(`--keep must be a whole number of backups, at least 1 (not ${options.keep}).\n`);
  process.exit(1);
}

function describeRun(run: BackupRun): string {
  return run.isOk ? `${run.startedAt}, into ${run.location}` : `${run.startedAt}, failed: ${run.error}`;
}

async function printStatus(): Promise<void> {
  const schedule =
    config.COVE_BACKUP_SCHEDULE === 'off'
      ? 'off (set COVE_BACKUP_SCHEDULE=hourly or daily, and COVE_BACKUP_TARGET, for the builder to take them)'
      : `${config.COVE_BACKUP_SCHEDULE}, into ${config.COVE_BACKUP_TARGET}, keeping the newest ${config.COVE_BACKUP_KEEP}`;
  process.stdout.write(`Schedule: ${schedule}\n`);
  if (config.COVE_REDIS_URL) {
    const redis = new Redis(config.COVE_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      const status = await readBackupStatus(redis, config.COVE_INSTANCE);
      process.stdout.write(
        `Last scheduled run: ${status.lastRun ? describeRun(status.lastRun) : 'none yet'}\n`,
      );
      if (status.lastRun && !status.lastRun.isOk) {
        process.stdout.write(
          `Last success: ${status.lastSuccess ? describeRun(status.lastSuccess) : 'none'}\n`,
        );
        process.exitCode = 1;
      }
    } finally {
      redis.disconnect();
    }
  }
  if (where === undefined) return;
  const target = parseTarget(where);
  const backups = await listBackups(target);
  const newest = backups.at(-1);
  process.stdout.write(
    `In ${describeTarget(target)}: ${backups.length} backups${newest ? `, the newest ${newest.id} (${newest.takenAt.toISOString()})` : ''}\n`,
  );
}

async function backUp(): Promise<void> {
  if (where === undefined) {
    process.stderr.write(
      `Say where the backup goes: --to <folder | restic:<repository>> (or COVE_BACKUP_TARGET).\n${usage}\n`,
    );
    process.exit(1);
  }
  const result = await createBackup({
    databaseUrl: config.COVE_DATABASE_URL,
    target: parseTarget(where),
    keep,
  });
  const { contents, masterKey, migrations } = result.manifest;
  for (const note of result.notes) process.stdout.write(`${note}\n`);
  process.stdout.write(
    [
      `Backed up ${contents.apps} apps, ${contents.deployments} deployments, ${contents.appSecrets} apps' secrets, ${contents.uploads} uploaded folders and ${contents.certificates} certificates (migration ${migrations.latest ?? migrations.count}) to ${result.location}.`,
      ...(result.removed.length > 0
        ? [`Removed older backups past ${keep}: ${result.removed.join(', ')}.`]
        : []),
      masterKey.note,
      '',
    ].join('\n'),
  );
}

try {
  await (options.status ? printStatus() : backUp());
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
