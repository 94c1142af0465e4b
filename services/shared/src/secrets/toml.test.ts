import { expect, test } from 'vitest';
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
  expect(error.message).toMatch(/line 3, column 1: .*redefine/);
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
