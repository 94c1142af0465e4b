import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  configPath,
  loadCredentials,
  normalizeServer,
  readStoredConfig,
  removeStoredConfig,
  writeStoredConfig,
} from './config';
import { CliError, exitCodes } from './exit-codes';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cove-cli-config-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('normalizeServer', () => {
  test.each([
    ['http://localhost:4100', 'http://localhost:4100'],
    ['http://localhost:4100/', 'http://localhost:4100'],
    ['http://localhost:4100/api/v1', 'http://localhost:4100'],
    ['https://cove.example.com/api/v1/', 'https://cove.example.com'],
    [' https://example.com/cove/ ', 'https://example.com/cove'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeServer(input)).toBe(expected);
  });

  test.each(['localhost:4100', 'ftp://example.com', 'not a url'])('%s is a usage error', (input) => {
    expect(() => normalizeServer(input)).toThrow(
      expect.objectContaining({ exitCode: exitCodes.usage, message: expect.stringContaining('dashboard') }),
    );
  });
});

describe('the config file', () => {
  test('lives under XDG_CONFIG_HOME when set, else ~/.config', () => {
    expect(configPath({ HOME: '/home/ada' })).toBe('/home/ada/.config/cove/config.json');
    expect(configPath({ HOME: '/home/ada', XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/cove/config.json');
  });

  test('is written readable by its owner only, also over an older file that was not', async () => {
    const path = configPath({ HOME: home });
    await writeStoredConfig(path, { server: 'http://a', token: 'one' });
    await writeFile(path, '{}', { mode: 0o644 });
    await writeStoredConfig(path, { server: 'http://b', token: 'two' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ server: 'http://b', token: 'two' });
  });

  test('that is not JSON, or lacks a token, asks for a new login', async () => {
    const path = configPath({ HOME: home });
    await writeStoredConfig(path, { server: 'http://a', token: 't' });
    await writeFile(path, '{ not json');
    await expect(readStoredConfig(path)).rejects.toThrow(/not valid JSON.*cove login/);
    await writeFile(path, '{"server":"http://a"}');
    await expect(readStoredConfig(path)).rejects.toThrow(/cove login/);
  });

  test('removal says whether there was one', async () => {
    const path = configPath({ HOME: home });
    expect(await removeStoredConfig(path)).toBe(false);
    await writeStoredConfig(path, { server: 'http://a', token: 't' });
    expect(await removeStoredConfig(path)).toBe(true);
    expect(await readStoredConfig(path)).toBeUndefined();
  });
});

describe('loadCredentials', () => {
  test('reads the file', async () => {
    await writeStoredConfig(configPath({ HOME: home }), { server: 'http://file:4100/', token: 'file' });
    expect(await loadCredentials({ HOME: home })).toEqual({
      server: 'http://file:4100',
      token: 'file',
      source: 'config file',
    });
  });

  test('COVE_API_URL and COVE_API_TOKEN win over the file, each on its own', async () => {
    await writeStoredConfig(configPath({ HOME: home }), { server: 'http://file', token: 'file' });
    expect(await loadCredentials({ HOME: home, COVE_API_TOKEN: 'env' })).toMatchObject({
      server: 'http://file',
      token: 'env',
      source: 'environment',
    });
    expect(
      await loadCredentials({ HOME: home, COVE_API_URL: 'http://env:4100/api/v1', COVE_API_TOKEN: 'env' }),
    ).toMatchObject({ server: 'http://env:4100', token: 'env' });
  });

  test('without either, the caller is not signed in (exit 2)', async () => {
    const error = await loadCredentials({ HOME: home }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: exitCodes.notSignedIn,
      message: expect.stringMatching(/cove login/),
    });
  });
});
