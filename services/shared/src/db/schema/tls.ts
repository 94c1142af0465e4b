import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const tlsChallengeTypes = ['http-01', 'dns-01'] as const;
export type TlsChallengeType = (typeof tlsChallengeTypes)[number];

/**
 * One certificate per host the proxy serves over HTTPS (an app's host, the dashboard's, or a
 * wildcard `*.<apps domain>`): the chain in the clear, its private key encrypted with the master
 * key (secrets/crypto). A failed issuance keeps the previous certificate and records why.
 */
export const tlsCertificates = pgTable('tls_certificates', {
  host: text('host').primaryKey(),
  challengeType: text('challenge_type', { enum: tlsChallengeTypes }).notNull(),
  certificatePem: text('certificate_pem'),
  keyCiphertext: text('key_ciphertext'),
  notBefore: timestamp('not_before', { withTimezone: true }),
  notAfter: timestamp('not_after', { withTimezone: true }),
  issuedAt: timestamp('issued_at', { withTimezone: true }),
  /** The CA's (or the network's) reason the last attempt failed; null once one succeeds. */
  lastError: text('last_error'),
  lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
  failedAttempts: integer('failed_attempts').notNull().default(0),
  /** No attempt before this (the backoff after a failure). */
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The ACME account Cove uses at each CA: its key encrypted like a certificate's. */
export const acmeAccounts = pgTable('acme_accounts', {
  directoryUrl: text('directory_url').primaryKey(),
  keyCiphertext: text('key_ciphertext').notNull(),
  accountUrl: text('account_url'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
