// Parsing the TOML an author pastes as an app's secrets. A syntax error becomes a message with its
// line and reason (and never the text around it, which may hold a secret).
import { parse, TomlError } from 'smol-toml';
import { CoveError } from '../errors';

export type SecretsTable = Record<string, unknown>;

/** Largest secrets document accepted, in bytes: far above any real one. */
export const maxSecretsBytes = 64 * 1024;

function firstLineOf(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/^Invalid TOML document:\s*/i, '').trim();
}

export function parseSecretsToml(text: string): SecretsTable {
  if (Buffer.byteLength(text, 'utf8') > maxSecretsBytes) {
    throw new CoveError(
      'invalid_input',
      `Secrets can be at most ${maxSecretsBytes / 1024} KB of TOML; this is larger.`,
      { fields: { secrets: 'Too large.' } },
    );
  }
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = firstLineOf(error.message);
    const message = `The secrets are not valid TOML: line ${error.line}, column ${error.column}: ${reason}. Nothing was saved.`;
    throw new CoveError('invalid_input', message, {
      fields: { secrets: message },
      line: error.line,
      column: error.column,
    });
  }
}

/** The top-level keys, in the order written. */
export function secretKeyNames(table: SecretsTable): string[] {
  return Object.keys(table);
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the platform or the runtime owns: a secret never overrides them. */
const reservedExact = new Set([
  'PATH',
  'HOME',
  'HOSTNAME',
  'USER',
  'SHELL',
  'PWD',
  'TMPDIR',
  'LANG',
  'TERM',
  'VIRTUAL_ENV',
]);
const reservedPrefixes = ['COVE_', 'STREAMLIT_', 'PYTHON', 'LD_', 'LC_', 'UV_'];

export function isAllowedEnvName(name: string): boolean {
  if (!envName.test(name)) return false;
  const upper = name.toUpperCase();
  if (reservedExact.has(upper)) return false;
  return !reservedPrefixes.some((prefix) => upper.startsWith(prefix));
}

/** Top-level string secrets as environment variables, as Community Cloud passes them. */
export function secretsAsEnvironment(table: SecretsTable): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(table)) {
    if (typeof value === 'string' && isAllowedEnvName(name) && !value.includes('\0')) env[name] = value;
  }
  return env;
}
