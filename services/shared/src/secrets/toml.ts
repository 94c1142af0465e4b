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

function countOf(line: string, character: string): number {
  return line.split(character).length - 1;
}

/**
 * The parser's reason in words a person acts on, from the line it stopped at (read here, never
 * repeated in the message: it may hold a secret). Keys may be named: the page lists them anyway.
 */
export function plainTomlReason(parserReason: string, line: string): string {
  const trimmed = line.trim();
  const key = trimmed.split('=')[0]?.trim() ?? '';
  if (/control characters are not allowed in strings/i.test(parserReason)) {
    const quote = countOf(line, '"') % 2 === 1 ? '"' : countOf(line, "'") % 2 === 1 ? "'" : null;
    if (quote !== null) return `the text in quotes is not closed; add a ${quote} at its end`;
    return 'a string holds a tab or another control character; write it as \\t or \\u0009';
  }
  if (/redefine/i.test(parserReason)) {
    return key === '' ? 'a key or table is defined twice' : `\`${key}\` is defined twice; keep one`;
  }
  if (trimmed.startsWith('[') && !trimmed.includes(']'))
    return 'the table name is not closed; add a ] at its end';
  if (/illegal character in key/i.test(parserReason) && !trimmed.includes('=')) {
    return 'each line is key = "value", and this one has no =';
  }
  if (/invalid value/i.test(parserReason)) {
    return trimmed.endsWith('=')
      ? `\`${key}\` has no value; write ${key} = "value"`
      : 'the value is not one TOML knows; put text in quotes, like key = "text"';
  }
  if (/must be followed by an end-of-line/i.test(parserReason)) {
    return 'something follows the value; one key = value per line, and text in quotes';
  }
  return parserReason;
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
    const reason = plainTomlReason(firstLineOf(error.message), text.split(/\r?\n/)[error.line - 1] ?? '');
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
