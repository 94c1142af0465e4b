// The platform's own structured log (pino), with secrets redacted by default.
import { type Logger, pino } from 'pino';

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
];

export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, redact: { paths: redactedPaths, censor: '[redacted]' } });
}
