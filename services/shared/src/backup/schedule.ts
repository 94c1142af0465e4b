// Scheduled backups (COVE_BACKUP_SCHEDULE): when the next is due, and what the last ones did, kept
// in Redis for `npm run backup -- --status` and the builders (one lock, so one builder takes each).
// Losing it costs one early backup; the backups themselves are listed from the target.
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const backupSchedules = ['off', 'hourly', 'daily'] as const;
export type BackupSchedule = (typeof backupSchedules)[number];

const intervalMs: Record<Exclude<BackupSchedule, 'off'>, number> = {
  hourly: 60 * 60 * 1000,
  daily: 24 * 60 * 60 * 1000,
};

/** A failed backup is tried again this soon, not a whole interval later. */
export const retryAfterFailureMs = 15 * 60 * 1000;

export const backupRun = z.object({
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  isOk: z.boolean(),
  /** Where it went (a folder, a restic snapshot), when it worked. */
  location: z.string().nullable(),
  /** Why it failed, in the words the tool said. */
  error: z.string().nullable(),
});
export type BackupRun = z.infer<typeof backupRun>;

export const backupStatus = z.object({
  lastRun: backupRun.nullable(),
  lastSuccess: backupRun.nullable(),
});
export type BackupStatus = z.infer<typeof backupStatus>;

export function backupKeys(instance: string) {
  return {
    lastRun: `cove:${instance}:backup:last-run`,
    lastSuccess: `cove:${instance}:backup:last-success`,
    lock: `cove:${instance}:backup:lock`,
  };
}

/** Whether a scheduled backup should start now, from the last run and its outcome. */
export function isBackupDue(schedule: BackupSchedule, lastRun: BackupRun | null, nowMs: number): boolean {
  if (schedule === 'off') return false;
  if (lastRun === null) return true;
  const waitMs = lastRun.isOk ? intervalMs[schedule] : Math.min(retryAfterFailureMs, intervalMs[schedule]);
  return nowMs - new Date(lastRun.startedAt).getTime() >= waitMs;
}

function parseRun(text: string | null): BackupRun | null {
  if (text === null) return null;
  const parsed = backupRun.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export async function readBackupStatus(redis: Redis, instance: string): Promise<BackupStatus> {
  const keys = backupKeys(instance);
  const [lastRun, lastSuccess] = await redis.mget(keys.lastRun, keys.lastSuccess);
  return { lastRun: parseRun(lastRun ?? null), lastSuccess: parseRun(lastSuccess ?? null) };
}

export async function recordBackupRun(redis: Redis, instance: string, run: BackupRun): Promise<void> {
  const keys = backupKeys(instance);
  const text = JSON.stringify(backupRun.parse(run));
  await redis.set(keys.lastRun, text);
  if (run.isOk) await redis.set(keys.lastSuccess, text);
}

/** One builder takes a due backup; the lock outlives a crashed holder by `holdMs` at most. */
export async function claimBackupLock(
  redis: Redis,
  instance: string,
  holder: string,
  holdMs: number,
): Promise<boolean> {
  return (await redis.set(backupKeys(instance).lock, holder, 'PX', holdMs, 'NX')) === 'OK';
}

export async function releaseBackupLock(redis: Redis, instance: string, holder: string): Promise<void> {
  const key = backupKeys(instance).lock;
  if ((await redis.get(key)) === holder) await redis.del(key);
}
