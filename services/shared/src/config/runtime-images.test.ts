import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { parseConfig } from './load';
import { commonConfigSchema } from './schemas';

const base = {
  COVE_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cove',
  COVE_REDIS_URL: 'redis://127.0.0.1:6379',
  COVE_MASTER_KEY: randomBytes(32).toString('base64'),
  COVE_APPS_DOMAIN: 'apps.example.com',
  COVE_DASHBOARD_URL: 'https://cove.example.com',
};

test('the Python versions on offer are read with their images, the default first', () => {
  const config = parseConfig(commonConfigSchema, {
    ...base,
    COVE_RUNTIME_IMAGES: '3.11=cove/runtime:dev, 3.13=cove/runtime:dev-trixie',
  });
  expect(config.COVE_RUNTIME_IMAGES).toEqual([
    { pythonVersion: '3.11', image: 'cove/runtime:dev' },
    { pythonVersion: '3.13', image: 'cove/runtime:dev-trixie' },
  ]);
  expect(parseConfig(commonConfigSchema, base).COVE_RUNTIME_IMAGES).toEqual([]);
});

test('an entry that is not version=image stops the start naming it', () => {
  expect(() => parseConfig(commonConfigSchema, { ...base, COVE_RUNTIME_IMAGES: 'cove/runtime:dev' })).toThrow(
    /COVE_RUNTIME_IMAGES.*"cove\/runtime:dev" is not <python major.minor>=<image>/s,
  );
});
