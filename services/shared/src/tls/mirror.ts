// The proxy's view of the certificates: a Redis hash host -> { chain, encrypted key, expiry }, and
// a channel naming the host that changed. The proxy decrypts a key only when it loads it.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { tlsKeys } from './keys';

export const mirroredCertificate = z.object({
  host: z.string(),
  certificatePem: z.string(),
  keyCiphertext: z.string(),
  notAfter: z.iso.datetime(),
});
export type MirroredCertificate = z.infer<typeof mirroredCertificate>;

function parse(raw: string): MirroredCertificate | null {
  try {
    const parsed = mirroredCertificate.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeMirroredCertificate(
  redis: Redis,
  instance: string,
  certificate: MirroredCertificate,
): Promise<void> {
  const keys = tlsKeys(instance);
  await redis.hset(
    keys.certificates,
    certificate.host,
    JSON.stringify(mirroredCertificate.parse(certificate)),
  );
  await redis.publish(keys.channel, certificate.host);
}

export async function removeMirroredCertificate(redis: Redis, instance: string, host: string): Promise<void> {
  const keys = tlsKeys(instance);
  await redis.hdel(keys.certificates, host);
  await redis.publish(keys.channel, host);
}

export async function readMirroredCertificate(
  redis: Redis,
  instance: string,
  host: string,
): Promise<MirroredCertificate | null> {
  const raw = await redis.hget(tlsKeys(instance).certificates, host);
  return raw === null ? null : parse(raw);
}

export async function readAllMirroredCertificates(
  redis: Redis,
  instance: string,
): Promise<Map<string, MirroredCertificate>> {
  const raw = await redis.hgetall(tlsKeys(instance).certificates);
  const certificates = new Map<string, MirroredCertificate>();
  for (const [host, value] of Object.entries(raw)) {
    const parsed = parse(value);
    if (parsed) certificates.set(host, parsed);
  }
  return certificates;
}
