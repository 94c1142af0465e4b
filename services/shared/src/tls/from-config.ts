// The certificate manager as the builder's settings describe it, or null when no ACME CA is set.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { type BuilderConfig, masterKeyRing } from '../config/schemas';
import type { Database } from '../db/client';
import type { Logger } from '../logs/logger';
import { trustAcmeServerCa } from './acme';
import { commandDnsHook, type DnsHook, urlDnsHook } from './challenges';
import { type CertificateManager, createCertificateManager } from './manager';

function dnsHookOf(config: BuilderConfig): DnsHook | null {
  if (config.COVE_ACME_DNS_HOOK_URL) return urlDnsHook(config.COVE_ACME_DNS_HOOK_URL);
  if (config.COVE_ACME_DNS_HOOK_COMMAND) return commandDnsHook(config.COVE_ACME_DNS_HOOK_COMMAND);
  return null;
}

export function certificateManagerFromConfig(
  config: BuilderConfig,
  deps: { db: Database; redis: Redis; logger: Logger },
): CertificateManager | null {
  if (config.COVE_ACME_DIRECTORY_URL === undefined) return null;
  trustAcmeServerCa(config.COVE_ACME_CA_FILE ? readFileSync(config.COVE_ACME_CA_FILE, 'utf8') : null);
  const [currentKey, ...previousKeys] = masterKeyRing(config);
  if (currentKey === undefined) throw new Error('COVE_MASTER_KEY is required');
  return createCertificateManager({
    ...deps,
    instance: config.COVE_INSTANCE,
    masterKeys: [currentKey, ...previousKeys],
    logger: deps.logger.child({ component: 'certificates' }),
    directoryUrl: config.COVE_ACME_DIRECTORY_URL,
    email: config.COVE_ACME_EMAIL ?? null,
    dashboardHost: new URL(config.COVE_DASHBOARD_URL).hostname,
    appsDomain: config.COVE_APPS_DOMAIN,
    dnsHook: dnsHookOf(config),
    policy: { renewWhenRemainingFraction: config.COVE_TLS_RENEW_FRACTION },
    retry: {
      baseMs: config.COVE_TLS_RETRY_BASE_SECONDS * 1000,
      maxMs: config.COVE_TLS_RETRY_MAX_SECONDS * 1000,
    },
    intervalMs: config.COVE_TLS_CHECK_INTERVAL_SECONDS * 1000,
  });
}
