// The certificates and ACME accounts in Postgres: the truth the Redis copy is rebuilt from.
import { eq, notInArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { acmeAccounts, type TlsChallengeType, tlsCertificates } from '../db/schema/tls';
import { decryptValue, encryptValue, type MasterKeys } from '../secrets/crypto';
import type { AcmeAccount, IssuedCertificate } from './acme';
import { createAccountKeyPem } from './acme';
import { accountKeyContext, certificateKeyContext } from './keys';

export type CertificateRow = typeof tlsCertificates.$inferSelect;

export async function readCertificateRows(db: Database): Promise<CertificateRow[]> {
  return db.select().from(tlsCertificates);
}

export async function readCertificateRow(db: Database, host: string): Promise<CertificateRow | null> {
  const [row] = await db.select().from(tlsCertificates).where(eq(tlsCertificates.host, host));
  return row ?? null;
}

export async function saveIssuedCertificate(
  db: Database,
  masterKey: string,
  host: string,
  challengeType: TlsChallengeType,
  issued: IssuedCertificate,
): Promise<CertificateRow> {
  const values = {
    challengeType,
    certificatePem: issued.certificatePem,
    keyCiphertext: encryptValue(masterKey, certificateKeyContext(host), issued.keyPem),
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    issuedAt: new Date(),
    lastError: null,
    lastErrorAt: null,
    failedAttempts: 0,
    nextAttemptAt: null,
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(tlsCertificates)
    .values({ host, ...values })
    .onConflictDoUpdate({ target: tlsCertificates.host, set: values })
    .returning();
  if (!row) throw new Error(`The certificate of ${host} was not saved`);
  return row;
}

/** A failed attempt: the reason and the next try are recorded; the previous certificate stays. */
export async function saveFailedIssuance(
  db: Database,
  host: string,
  challengeType: TlsChallengeType,
  failure: { reason: string; failedAttempts: number; nextAttemptAt: Date },
): Promise<void> {
  const values = {
    lastError: failure.reason.slice(0, 2_000),
    lastErrorAt: new Date(),
    failedAttempts: failure.failedAttempts,
    nextAttemptAt: failure.nextAttemptAt,
    updatedAt: new Date(),
  };
  await db
    .insert(tlsCertificates)
    .values({ host, challengeType, ...values })
    .onConflictDoUpdate({ target: tlsCertificates.host, set: values });
}

/** Removes the certificates of hosts no longer served (a deleted app); returns their hosts. */
export async function deleteCertificatesExcept(db: Database, hosts: readonly string[]): Promise<string[]> {
  const query = db.delete(tlsCertificates);
  const removed = await (hosts.length === 0
    ? query
    : query.where(notInArray(tlsCertificates.host, [...hosts]))
  ).returning({
    host: tlsCertificates.host,
  });
  return removed.map((row) => row.host);
}

/** The account at this CA, created (key only; the CA learns of it at the first order) when missing. */
export async function loadOrCreateAccount(
  db: Database,
  masterKeys: MasterKeys,
  directoryUrl: string,
  email: string | null,
): Promise<AcmeAccount> {
  const context = accountKeyContext(directoryUrl);
  const [existing] = await db.select().from(acmeAccounts).where(eq(acmeAccounts.directoryUrl, directoryUrl));
  if (existing) {
    return {
      directoryUrl,
      keyPem: decryptValue(masterKeys, context, existing.keyCiphertext),
      accountUrl: existing.accountUrl,
      email,
    };
  }
  const keyPem = await createAccountKeyPem();
  const currentKey = typeof masterKeys === 'string' ? masterKeys : masterKeys[0];
  if (currentKey === undefined) throw new Error('No master key to seal the ACME account key with');
  await db
    .insert(acmeAccounts)
    .values({ directoryUrl, keyCiphertext: encryptValue(currentKey, context, keyPem) })
    .onConflictDoNothing();
  // Another builder may have won the insert: read back the one that is stored.
  return loadOrCreateAccount(db, masterKeys, directoryUrl, email);
}

export async function saveAccountUrl(
  db: Database,
  directoryUrl: string,
  accountUrl: string | null,
): Promise<void> {
  await db.update(acmeAccounts).set({ accountUrl }).where(eq(acmeAccounts.directoryUrl, directoryUrl));
}
