import { describe, expect, test } from 'vitest';
import { checkGitUrl, parseGitUrl, pinGitUrl } from './url-policy';

const strict = { allowedSchemes: ['https', 'git'] as const, allowPrivateAddresses: false };
const resolveTo = (addresses: string[]) => async () => addresses;

describe('parseGitUrl', () => {
  test.each([
    ['file:///etc/passwd', /file:\/\/ URLs are not allowed/],
    ['ext::sh -c touch% /tmp/pwned', /cannot contain backslashes, spaces or control characters/],
    ['-uhttps://example.com/x.git', /cannot start with "-"/],
    ['http://example.com/x.git', /"http:\/\/" is not allowed/],
    ['https://user:pass@example.com/x.git', /no user name or password/],
    ['not-a-url', /is not a URL/],
    // WHATWG reads "\\" as "/" (host public.example.test), curl as part of a user name (host 127.0.0.1).
    ['https://public.example.test\\@127.0.0.1:39602/x.git', /cannot contain backslashes/],
    ['https://public.example.test\\evil.example/x.git', /cannot contain backslashes/],
    ['https://public.exa\tmple.test/x.git', /cannot contain backslashes, spaces or control characters/],
    [
      'https://public.example.test/x.git\n@127.0.0.1',
      /cannot contain backslashes, spaces or control characters/,
    ],
    [
      'https://public.example.test\u0000@127.0.0.1/x.git',
      /cannot contain backslashes, spaces or control characters/,
    ],
    ['https://@127.0.0.1/x.git', /no user name or password/],
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

describe('pinGitUrl', () => {
  test('resolves the host once and returns what it checked, for git to connect to', async () => {
    const lookups: string[] = [];
    // A rebinding name: public when the policy asks, loopback for whoever asks next.
    const answers = [['93.184.216.34', '2606:2800:220:1::1'], ['127.0.0.1']];
    const pinned = await pinGitUrl('https://Rebind.Example.test/repo.git', strict, async (hostname) => {
      lookups.push(hostname);
      return answers.shift() ?? [];
    });
    expect(lookups).toEqual(['rebind.example.test']);
    expect(pinned.addresses).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
    // git is given the parsed URL's own serialisation, never the raw text.
    expect(pinned.url.href).toBe('https://rebind.example.test/repo.git');
  });

  test('refuses a host with any private address, as checkGitUrl does', async () => {
    await expect(
      pinGitUrl('https://mixed.example/repo.git', strict, resolveTo(['93.184.216.34', '10.0.0.1'])),
    ).rejects.toThrow(/private or local address \(10\.0\.0\.1\)/);
  });

  test('resolves and pins even where private addresses are allowed', async () => {
    const policy = { allowedSchemes: ['http'] as const, allowPrivateAddresses: true };
    const pinned = await pinGitUrl('http://forge.internal:4090/x.git', policy, resolveTo(['10.0.0.7']));
    expect(pinned.addresses).toEqual(['10.0.0.7']);
  });

  test('an address literal needs no pin', async () => {
    const pinned = await pinGitUrl('https://[2606:2800:220:1::1]/x.git', strict, resolveTo([]));
    expect(pinned.addresses).toEqual([]);
  });

  test('a host that resolves to nothing is refused', async () => {
    await expect(pinGitUrl('https://empty.example/x.git', strict, resolveTo([]))).rejects.toThrow(
      /could not be found/,
    );
  });
});
