// Backups on COVE_BACKUP_SCHEDULE, checked at the end of every reconcile pass and taken beside the
// passes (a dump can take minutes; reconciling goes on meanwhile). One builder takes each (a Redis
// lock); every run is logged and recorded for `npm run backup -- --status`, a failure with its reason.
import { randomUUID } from 'node:crypto';
import { createBackup } from '@cove/shared/backup/backup';
import {
  claimBackupLock,
  isBackupDue,
  readBackupStatus,
  recordBackupRun,
  releaseBackupLock,
} from '@cove/shared/backup/schedule';
import { parseTarget } from '@cove/shared/backup/targets';
import type { BuilderContext } from '../context';
import type { FollowingPass } from './loop';

/** A builder that died holding the lock lets the next take over after this. */
const lockHoldMs = 6 * 60 * 60 * 1000;

export interface BackupSchedule {
  pass: FollowingPass;
  /** Stops a backup under way (its partial copy is removed) and waits for it. */
  stop(): Promise<void>;
}

async function takeBackup(context: BuilderContext, signal: AbortSignal): Promise<void> {
  const { config, redis, logger } = context;
  const startedAt = new Date();
  try {
    const result = await createBackup({
      databaseUrl: config.COVE_DATABASE_URL,
      target: parseTarget(config.COVE_BACKUP_TARGET ?? ''),
      keep: config.COVE_BACKUP_KEEP,
      now: startedAt,
      signal,
    });
    await recordBackupRun(redis, config.COVE_INSTANCE, {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      isOk: true,
      location: result.location,
      error: null,
    });
    logger.info(
      { location: result.location, removed: result.removed, apps: result.manifest.contents.apps },
      'scheduled backup taken',
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await recordBackupRun(redis, config.COVE_INSTANCE, {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      isOk: false,
      location: null,
      error: reason,
    });
    logger.error({ reason, target: config.COVE_BACKUP_TARGET }, 'scheduled backup failed; tried again later');
  }
}

export function startBackupSchedule(context: BuilderContext): BackupSchedule {
  const aborter = new AbortController();
  let running: Promise<void> | null = null;

  const pass: FollowingPass = async () => {
    const { config, redis } = context;
    if (config.COVE_BACKUP_SCHEDULE === 'off' || running !== null || aborter.signal.aborted) return;
    const { lastRun } = await readBackupStatus(redis, config.COVE_INSTANCE);
    if (!isBackupDue(config.COVE_BACKUP_SCHEDULE, lastRun, Date.now())) return;
    const holder = randomUUID();
    if (!(await claimBackupLock(redis, config.COVE_INSTANCE, holder, lockHoldMs))) return;
    running = takeBackup(context, aborter.signal)
      .catch((error: unknown) =>
        context.logger.error({ err: error }, 'could not record the scheduled backup'),
      )
      .finally(async () => {
        running = null;
        await releaseBackupLock(redis, config.COVE_INSTANCE, holder).catch(() => {});
      });
  };

  return {
    pass,
    async stop() {
      aborter.abort();
      await running;
    },
  };
}
