import { describe, expect, test } from 'vitest';
import { checkGitUrl, parseGitUrl } from './url-policy';

const strict = { allowedSchemes: ['https', 'git'] as const, allowPrivateAddresses: false };
const resolveTo = (addresses: string[]) => async () => addresses;

describe('parseGitUrl', () => {
  test.each([
    ['file:///etc/passwd', /file:\/\/ URLs are not allowed/],
    ['ext::sh -c touch% /tmp/pwned', /not a URL|not allowed/],
    ['-uhttps://example.com/x.git', /cannot start with "-"/],
    ['http://example.com/x.git', /"http:\/\/" is not allowed/],
    ['https://user:pass@example.com/x.git', /no user name or password/],
    ['not a url', /is not a URL/],
  ])('refuses %s', (url, message) => {
    expect(() => parseGitUrl(url, strict)).toThrow(message);
  });

  test('accepts https and git URLs', () => {
    expect(parseGitUrl('https://github.com/streamlit/demo.git', strict).hostname).toBe('github.com');
    expect(parseGitUrl('git://example.org/repo.git', strict).protocol).toBe('git:');
  });
});

describe('checkGitUrl', () => {
  test.each([
    ['https://127.0.0.1/repo.git', []],
    ['https://[::1]/repo.git', []],
    ['https://169.254.169.254/repo.git', []],
    ['https://internal.example/repo.git', ['10.1.2.3']],
    ['https://mixed.example/repo.git', ['93.184.216.34', '192.168.1.5']],
  ])('refuses %s on private, loopback or link-local addresses', async (url, addresses) => {
    await expect(checkGitUrl(url, strict, resolveTo(addresses))).rejects.toThrow(/private or local address/);
  });

  test('accepts a public host', async () => {
    const url = await checkGitUrl('https://example.com/repo.git', strict, resolveTo(['93.184.216.34']));
    expect(url.hostname).toBe('example.com');
  });

  test('allows private addresses when the operator says so', async () => {
    const policy = { allowedSchemes: ['https', 'http'] as const, allowPrivateAddresses: true };
    await expect(checkGitUrl('http://127.0.0.1:4090/sample.git', policy)).resolves.toBeInstanceOf(URL);
  });

  test('explains an unknown host', async () => {
    const failing = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(checkGitUrl('https://nowhere.invalid/x.git', strict, failing)).rejects.toThrow(
      /could not be found/,
    );
  });
});
