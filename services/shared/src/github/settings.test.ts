import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load';
import { gitHubAppSettings, gitHubCloneUrl } from './settings';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
const defaults = { COVE_GITHUB_API_URL: 'https://api.github.com/', COVE_GITHUB_URL: 'https://github.com' };
const complete = {
  ...defaults,
  COVE_GITHUB_APP_ID: '1234',
  COVE_GITHUB_APP_SLUG: 'cove-apps',
  COVE_GITHUB_APP_PRIVATE_KEY: pem,
  COVE_GITHUB_WEBHOOK_SECRET: 'a-long-webhook-secret',
};

describe('gitHubAppSettings', () => {
  it('is null when nothing about GitHub is configured, so plain git URLs are the only way', () => {
    expect(gitHubAppSettings({ ...defaults })).toBeNull();
  });

  it('reads a complete App, with the key from a file or with escaped line breaks', () => {
    const settings = gitHubAppSettings({ ...complete });
    expect(settings).toMatchObject({ appId: '1234', slug: 'cove-apps', apiUrl: 'https://api.github.com' });
    expect(settings?.privateKey.asymmetricKeyType).toBe('rsa');
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'cove-key-')), 'app.pem');
    writeFileSync(keyFile, pem);
    const { COVE_GITHUB_APP_PRIVATE_KEY: _inline, ...withoutInline } = complete;
    expect(gitHubAppSettings({ ...withoutInline, COVE_GITHUB_APP_PRIVATE_KEY_FILE: keyFile })).not.toBeNull();
    expect(
      gitHubAppSettings({ ...complete, COVE_GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }),
    ).not.toBeNull();
  });

  it('names what is missing when the App is half configured, and refuses a key that is not one', () => {
    const { COVE_GITHUB_WEBHOOK_SECRET: _secret, ...withoutSecret } = complete;
    expect(() => gitHubAppSettings(withoutSecret)).toThrow(ConfigError);
    expect(() => gitHubAppSettings(withoutSecret)).toThrow(/COVE_GITHUB_WEBHOOK_SECRET missing/);
    expect(() => gitHubAppSettings({ ...complete, COVE_GITHUB_APP_PRIVATE_KEY: 'not a key' })).toThrow(
      /not a PEM private key/,
    );
  });

  it('clones from the configured GitHub', () => {
    expect(gitHubCloneUrl({ webUrl: 'https://github.com' }, 'octocat/Hello-World')).toBe(
      'https://github.com/octocat/Hello-World.git',
    );
  });
});
