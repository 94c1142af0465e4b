// Modern TLS only: 1.2 and 1.3 (1.3 preferred by the protocol itself), and for 1.2 only forward-
// secret AEAD suites (Mozilla's "intermediate" list). Node's 1.3 suites are all strong.
import type { SecureContextOptions } from 'node:tls';

const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const tls13Ciphers = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

export const modernTlsOptions = {
  minVersion: 'TLSv1.2',
  ciphers: [...tls13Ciphers, ...tls12Ciphers].join(':'),
  honorCipherOrder: true,
  ecdhCurve: 'X25519:P-256:P-384',
} satisfies SecureContextOptions;

/** HSTS on every HTTPS answer: a year, as the HSTS preload list asks; subdomains left to each host. */
export function strictTransportSecurity(maxAgeSeconds: number): string {
  return `max-age=${maxAgeSeconds}`;
}
