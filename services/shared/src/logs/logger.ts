// The platform's own structured log (pino), with secrets redacted by default.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

export const redactedPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'masterKey',
  '*.masterKey',
  'secrets',
  '*.secrets',
  'env',
  '*.env',
  'toml',
  '*.toml',
];

/** Writes to stdout unless given a destination (tests read what was logged). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = { name: service, level, redact: { paths: redactedPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
