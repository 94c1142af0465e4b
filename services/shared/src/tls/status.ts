// What an operator reads about each certificate (npm run certificates): valid until when, or why
// the last attempt failed and when the next one is.
import type { CertificateRow } from './store';

export type CertificateStatusRow = Pick<
  CertificateRow,
  'host' | 'challengeType' | 'notAfter' | 'lastError' | 'lastErrorAt' | 'failedAttempts' | 'nextAttemptAt'
>;

export function describeCertificate(row: CertificateStatusRow, now: Date): string {
  const validity =
    row.notAfter === null
      ? 'no certificate yet'
      : row.notAfter.getTime() <= now.getTime()
        ? `EXPIRED ${row.notAfter.toISOString()}`
        : `valid until ${row.notAfter.toISOString()}`;
  const head = `${row.host} (${row.challengeType}): ${validity}`;
  if (row.lastError === null) return head;
  const next = row.nextAttemptAt === null ? '' : `; next attempt ${row.nextAttemptAt.toISOString()}`;
  const attempts = row.failedAttempts === 1 ? '1 failed attempt' : `${row.failedAttempts} failed attempts`;
  return `${head}\n  ${attempts}${next}\n  last error: ${row.lastError}`;
}
