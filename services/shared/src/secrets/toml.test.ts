import { describe, expect, it, test } from 'vitest';
import { CoveError } from '../errors';
import { isAllowedEnvName, parseSecretsToml, secretKeyNames, secretsAsEnvironment } from './toml';

function errorOf(text: string): CoveError {
  try {
    parseSecretsToml(text);
  } catch (error) {
    if (error instanceof CoveError) return error;
    throw error;
  }
  throw new Error('expected the TOML to be refused');
}

test('parses tables and keeps the top-level key names in order', () => {
  const table = parseSecretsToml('greeting = "hi"\ncount = 3\n\n[database]\npassword = "pw"\n');
  expect(secretKeyNames(table)).toEqual(['greeting', 'count', 'database']);
});

test('an unterminated string is refused with its line and reason, without the text around it', () => {
  const error = errorOf('first = "ok"\n\nsecond = "sk-live-1234\nthird = 1\n');
  expect(error.code).toBe('invalid_input');
  expect(error.message).toMatch(/line 3, column \d+: .+\. Nothing was saved\./);
  expect(error.details?.line).toBe(3);
  expect(error.message).not.toContain('sk-live-1234');
});

test('a key defined twice is refused at the second definition', () => {
  const error = errorOf('a = "1"\nb = "2"\na = "3"\n');
  expect(error.message).toMatch(/line 3, column 1: `a` is defined twice; keep one\./);
});

test('a line that is not key = value is refused with its line', () => {
  expect(errorOf('ok = 1\njust some words\n').details?.line).toBe(2);
});

test('only top-level strings with usable names become environment variables', () => {
  const table = parseSecretsToml(
    [
      'GREETING = "hello"',
      'api_key = "k"',
      'PORT_NUMBER = 5',
      'PATH = "/evil"',
      'COVE_MASTER_KEY = "x"',
      'STREAMLIT_SERVER_PORT = "1"',
      'LD_PRELOAD = "/x.so"',
      'PYTHONPATH = "/x"',
      '"not valid" = "x"',
      '[db]',
      'password = "p"',
    ].join('\n'),
  );
  expect(secretsAsEnvironment(table)).toEqual({ GREETING: 'hello', api_key: 'k' });
  expect(isAllowedEnvName('Path')).toBe(false);
  expect(isAllowedEnvName('_token')).toBe(true);
});

describe('TOML errors in plain words, with their line, never the text', () => {
  const messageOf = (text: string) => {
    try {
      parseSecretsToml(text);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    return 'parsed';
  };
  it.each([
    [
      'TOKEN = "ok"\nPASSWORD = "hunter2\n',
      'line 2, column',
      'the text in quotes is not closed; add a " at its end.',
    ],
    ["KEY = 'hunter2\n", 'line 1,', "the text in quotes is not closed; add a ' at its end."],
    ['A = 1\nA = 2\n', 'line 2,', '`A` is defined twice; keep one.'],
    ['hunter2\n', 'line 1,', 'each line is key = "value", and this one has no =.'],
    ['A =\n', 'line 1,', '`A` has no value; write A = "value".'],
    ['[database\nuser = "x"\n', 'line 1,', 'the table name is not closed; add a ] at its end.'],
    [
      'A = "x" hunter2\n',
      'line 1,',
      'something follows the value; one key = value per line, and text in quotes.',
    ],
  ])('%j', (text, where, reason) => {
    const message = messageOf(text);
    expect(message).toContain(where);
    expect(message).toContain(reason);
    expect(message).toMatch(/Nothing was saved\.$/);
    expect(message).not.toContain('hunter2');
  });
});
