// The certificates this proxy serves, kept in memory from Redis (the certificate manager's copy of
// Postgres): each host's key is decrypted once, when its certificate is loaded or changes, into a
// TLS secure context the SNI callback hands out. A wildcard `*.<domain>` serves one label below it.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '@cove/shared/logs/logger';
import { decryptValue, type MasterKeys } from '@cove/shared/secrets/crypto';
import { certificateKeyContext, tlsKeys } from '@cove/shared/tls/keys';
import {
  type MirroredCertificate,
  readAllMirroredCertificates,
  readMirroredCertificate,
} from '@cove/shared/tls/mirror';
import type { Redis } from 'ioredis';
import { mirrorFromRedis } from '../redis-mirror';
import { modernTlsOptions } from './tls-settings';

export interface CertificateCache {
  /** The secure context for a server name, exact or through a wildcard; undefined when none. */
  contextFor(serverName: string): SecureContext | undefined;
  /** Whether the host (no port) has a certificate: its plain HTTP then redirects to HTTPS. */
  hasCertificate(host: string): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function certificateSubscriberName(instance: string): string {
  return `cove-proxy-certificates-${instance}`;
}

export function createCertificateCache(options: {
  redis: Redis;
  instance: string;
  masterKeys: MasterKeys;
  logger: Logger;
}): CertificateCache {
  const { redis, instance, logger } = options;
  const keys = tlsKeys(instance);
  let contexts = new Map<string, { context: SecureContext; keyCiphertext: string }>();

  function toContext(certificate: MirroredCertificate): SecureContext | null {
    try {
      const key = decryptValue(
        options.masterKeys,
        certificateKeyContext(certificate.host),
        certificate.keyCiphertext,
      );
      return createSecureContext({ ...modernTlsOptions, cert: certificate.certificatePem, key });
    } catch (error) {
      // The previous context (if any) keeps serving.
      logger.error({ host: certificate.host, err: error }, 'could not load a certificate');
      return null;
    }
  }

  function apply(host: string, certificate: MirroredCertificate | null): void {
    if (certificate === null) {
      contexts.delete(host);
      return;
    }
    if (contexts.get(host)?.keyCiphertext === certificate.keyCiphertext) return;
    const context = toContext(certificate);
    if (context) contexts.set(host, { context, keyCiphertext: certificate.keyCiphertext });
  }

  async function reloadAll(): Promise<void> {
    const loaded = await readAllMirroredCertificates(redis, instance);
    const previous = contexts;
    contexts = new Map();
    for (const [host, certificate] of loaded) {
      const kept = previous.get(host);
      if (kept?.keyCiphertext === certificate.keyCiphertext) contexts.set(host, kept);
      else apply(host, certificate);
    }
    logger.info({ certificates: contexts.size }, 'certificates loaded');
  }

  const mirror = mirrorFromRedis({
    redis,
    connectionName: certificateSubscriberName(instance),
    channels: [keys.channel],
    what: 'certificates',
    logger,
    onMessage(channel, host) {
      if (channel !== keys.channel) return;
      readMirroredCertificate(redis, instance, host).then(
        (certificate) => apply(host, certificate),
        (error: unknown) => logger.error({ err: error, host }, 'could not refresh a certificate'),
      );
    },
    reloadAll,
  });

  function lookup(serverName: string) {
    const host = serverName.toLowerCase().replace(/\.$/, '');
    const exact = contexts.get(host);
    if (exact) return exact;
    const dot = host.indexOf('.');
    return dot > 0 ? contexts.get(`*${host.slice(dot)}`) : undefined;
  }

  return {
    contextFor: (serverName) => lookup(serverName)?.context,
    hasCertificate: (host) => lookup(host) !== undefined,
    start: () => mirror.start(),
    stop: () => mirror.stop(),
  };
}
