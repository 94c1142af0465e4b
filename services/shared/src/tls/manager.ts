// The certificate manager: one loop (in the builder) that keeps a valid certificate for every host
// Cove serves. Each pass reads what is wanted and what Postgres holds, issues what is missing or due
// (under a Redis lock per host, so two builders never order the same certificate), records a
// failure with the CA's reason and a backoff, and keeps the Redis copy the proxies serve in step.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import type { Logger } from '../logs/logger';
import {
  type AcmeAccount,
  acmeErrorReason,
  issueCertificate,
  isUnknownAccountError,
  registerAccount,
} from './acme';
import type { DnsHook } from './challenges';
import { type WantedCertificate, wantedCertificates } from './hosts';
import { tlsKeys } from './keys';
import { readAllMirroredCertificates, removeMirroredCertificate, writeMirroredCertificate } from './mirror';
import { decideCertificate, type RenewalPolicy, retryDelayMs } from './renewal';
import {
  type CertificateRow,
  deleteCertificatesExcept,
  loadOrCreateAccount,
  readCertificateRows,
  saveAccountUrl,
  saveFailedIssuance,
  saveIssuedCertificate,
} from './store';

export interface CertificateManagerOptions {
  db: Database;
  redis: Redis;
  instance: string;
  /** The current master key first (new keys are sealed with it), then a previous one. */
  masterKeys: readonly [string, ...string[]];
  logger: Logger;
  directoryUrl: string;
  email: string | null;
  dashboardHost: string | null;
  appsDomain: string;
  dnsHook: DnsHook | null;
  policy: RenewalPolicy;
  retry: { baseMs: number; maxMs: number };
  /** The longest a pass waits for the next; sooner when a certificate falls due before. */
  intervalMs: number;
}

export interface CertificateManager {
  /** One pass now (the loop's body; tests call it directly). */
  runPass(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Longer than any issuance takes (acme-client's polling is bounded well below it). */
const issuanceLockMs = 5 * 60_000;

export function createCertificateManager(options: CertificateManagerOptions): CertificateManager {
  const { db, redis, instance, logger } = options;
  const keys = tlsKeys(instance);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let isStopped = false;
  let nextDueMs = Number.POSITIVE_INFINITY;

  async function wanted(): Promise<WantedCertificate[]> {
    const rows = await db.select({ name: apps.name }).from(apps);
    return wantedCertificates({
      dashboardHost: options.dashboardHost,
      appsDomain: options.appsDomain,
      appNames: rows.map((row) => row.name),
      hasDnsHook: options.dnsHook !== null,
    });
  }

  async function withLock(host: string, work: () => Promise<void>): Promise<void> {
    const token = randomUUID();
    const acquired = await redis.set(keys.issuanceLock(host), token, 'PX', issuanceLockMs, 'NX');
    if (acquired !== 'OK') return;
    try {
      await work();
    } finally {
      // Only our own lock: compare and delete in one step.
      await redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        1,
        keys.issuanceLock(host),
        token,
      );
    }
  }

  /** The account, registered at the CA once before any order (orders in parallel then share it). */
  async function registeredAccount(): Promise<AcmeAccount> {
    const account = await loadOrCreateAccount(db, options.masterKeys, options.directoryUrl, options.email);
    if (account.accountUrl !== null) return account;
    const accountUrl = await registerAccount(account);
    await saveAccountUrl(db, options.directoryUrl, accountUrl);
    return { ...account, accountUrl };
  }

  async function issue(
    certificate: WantedCertificate,
    previous: CertificateRow | undefined,
    account: AcmeAccount,
  ): Promise<void> {
    const { host, challengeType } = certificate;
    const [currentKey] = options.masterKeys;
    try {
      const issued = await issueCertificate({
        account,
        host,
        challengeType,
        redis,
        instance,
        dnsHook: options.dnsHook,
      });
      if (account.accountUrl !== issued.accountUrl)
        await saveAccountUrl(db, options.directoryUrl, issued.accountUrl);
      const row = await saveIssuedCertificate(db, currentKey, host, challengeType, issued);
      await mirror(row);
      logger.info({ host, notAfter: issued.notAfter.toISOString() }, 'certificate issued');
    } catch (error) {
      // Registered again at the next attempt.
      if (isUnknownAccountError(error)) await saveAccountUrl(db, options.directoryUrl, null);
      await recordFailure(certificate, previous, await acmeErrorReason(error, options.directoryUrl));
    }
  }

  async function recordFailure(
    certificate: WantedCertificate,
    previous: CertificateRow | undefined,
    reason: string,
  ): Promise<void> {
    const { host, challengeType } = certificate;
    const failedAttempts = (previous?.failedAttempts ?? 0) + 1;
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(failedAttempts, options.retry));
    await saveFailedIssuance(db, host, challengeType, { reason, failedAttempts, nextAttemptAt });
    nextDueMs = Math.min(nextDueMs, nextAttemptAt.getTime());
    logger.warn(
      { host, failedAttempts, nextAttemptAt: nextAttemptAt.toISOString(), reason },
      'certificate issuance failed',
    );
  }

  async function mirror(row: CertificateRow): Promise<void> {
    if (row.certificatePem === null || row.keyCiphertext === null || row.notAfter === null) return;
    await writeMirroredCertificate(redis, instance, {
      host: row.host,
      certificatePem: row.certificatePem,
      keyCiphertext: row.keyCiphertext,
      notAfter: row.notAfter.toISOString(),
    });
  }

  /** Puts Redis back in step with Postgres (Redis may have lost the copy or hold a stale one). */
  async function syncMirror(rows: readonly CertificateRow[]): Promise<void> {
    const mirrored = await readAllMirroredCertificates(redis, instance);
    for (const row of rows) {
      if (row.keyCiphertext === null) continue;
      if (mirrored.get(row.host)?.keyCiphertext !== row.keyCiphertext) await mirror(row);
      mirrored.delete(row.host);
    }
    for (const host of mirrored.keys()) await removeMirroredCertificate(redis, instance, host);
  }

  async function pass(): Promise<void> {
    const wantedNow = await wanted();
    const removed = await deleteCertificatesExcept(
      db,
      wantedNow.map((certificate) => certificate.host),
    );
    if (removed.length > 0) logger.info({ hosts: removed }, 'certificates of hosts no longer served removed');
    const rows = new Map((await readCertificateRows(db)).map((row) => [row.host, row]));
    await syncMirror([...rows.values()]);
    nextDueMs = Number.POSITIVE_INFINITY;
    const nowMs = Date.now();
    const due: WantedCertificate[] = [];
    for (const certificate of wantedNow) {
      const decision = decideCertificate(rows.get(certificate.host) ?? null, nowMs, options.policy);
      if (decision.action === 'issue') due.push(certificate);
      else nextDueMs = Math.min(nextDueMs, decision.untilMs);
    }
    if (due.length === 0) return;
    let account: AcmeAccount;
    try {
      account = await registeredAccount();
    } catch (error) {
      const reason = await acmeErrorReason(error, options.directoryUrl);
      for (const certificate of due) await recordFailure(certificate, rows.get(certificate.host), reason);
      return;
    }
    // A few at a time: a CA rate-limits, and a first start may want many.
    for (let index = 0; index < due.length && !isStopped; index += 3) {
      const batch = due.slice(index, index + 3);
      await Promise.all(
        batch.map((certificate) =>
          withLock(certificate.host, () => issue(certificate, rows.get(certificate.host), account)),
        ),
      );
    }
  }

  function schedule(): void {
    if (isStopped) return;
    const delayMs = Math.max(100, Math.min(options.intervalMs, nextDueMs - Date.now()));
    timer = setTimeout(() => {
      running = runPass().finally(() => {
        running = undefined;
        schedule();
      });
    }, delayMs);
  }

  async function runPass(): Promise<void> {
    try {
      await pass();
    } catch (error) {
      logger.error({ err: error }, 'certificate pass failed');
    }
  }

  return {
    runPass,
    start() {
      running = runPass().finally(() => {
        running = undefined;
        schedule();
      });
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
