import { pinnedFetch } from '@cove/shared/git/safe-git';
import { describe, expect, test } from 'vitest';
import { DeployFailure } from '../failure';
import { type CloneRequest, explainFetchError } from './clone';

const request: CloneRequest = {
  repoUrl: 'https://git.example.com/ada/app.git',
  branch: 'main',
  commitSha: null,
  directory: '/tmp/x',
  policy: { allowedSchemes: ['https'], allowPrivateAddresses: false },
  timeoutMs: 120_000,
};

describe('explainFetchError', () => {
  test.each([
    {
      stderr: "fatal: couldn't find remote ref refs/heads/main",
      request,
      message:
        "The branch `main` does not exist in https://git.example.com/ada/app.git. Check the branch name in the app's settings.",
      isPermanent: true,
    },
    {
      stderr: 'fatal: remote error: upload-pack: not our ref 0123456789abcdef0123456789abcdef01234567',
      request: { ...request, commitSha: '0123456789abcdef0123456789abcdef01234567' },
      message:
        'The commit 0123456 is not in the repository at https://git.example.com/ada/app.git (it may have been force-pushed away). Redeploy the branch head instead.',
      isPermanent: true,
    },
    {
      stderr:
        "remote: Repository not found.\nfatal: repository 'https://git.example.com/ada/app.git/' not found",
      request,
      message:
        'Cove could not read the repository at https://git.example.com/ada/app.git: it does not exist, or it is private. Check the address.',
      isPermanent: true,
    },
    {
      stderr: 'fatal: unable to access: Failed to connect to git.example.com port 443: Connection refused',
      request,
      message:
        'Cove could not fetch https://git.example.com/ada/app.git: fatal: unable to access: Failed to connect to git.example.com port 443: Connection refused',
      isPermanent: false,
    },
    {
      stderr:
        "fatal: unable to access 'https://git.example.com/ada/app.git/': The requested URL returned error: 301",
      request,
      message:
        'The repository at https://git.example.com/ada/app.git redirects to another address, and Cove does not follow redirects. Use the address it redirects to.',
      isPermanent: true,
    },
  ])('$message', ({ stderr, request: given, message, isPermanent }) => {
    const error = explainFetchError(stderr, given);
    expect(error).toBeInstanceOf(DeployFailure);
    expect(error).toMatchObject({ message, isPermanent });
  });
});

describe('pinnedFetch', () => {
  test.each([
    {
      url: 'https://git.example.com/ada/app.git',
      addresses: ['93.184.216.34', '2606:2800:220:1::1'],
      fetched: 'https://git.example.com/ada/app.git',
      config: ['http.curloptResolve=git.example.com:443:93.184.216.34,[2606:2800:220:1::1]'],
    },
    {
      url: 'http://git.example.com:8080/app.git',
      addresses: ['93.184.216.34'],
      fetched: 'http://git.example.com:8080/app.git',
      config: ['http.curloptResolve=git.example.com:8080:93.184.216.34'],
    },
    // git:// does not go through curl: the URL itself names the checked address.
    {
      url: 'git://git.example.com/app.git',
      addresses: ['93.184.216.34'],
      fetched: 'git://93.184.216.34/app.git',
      config: [],
    },
    {
      url: 'git://git.example.com:9419/app.git',
      addresses: ['2606:2800:220:1::1'],
      fetched: 'git://[2606:2800:220:1::1]:9419/app.git',
      config: [],
    },
    {
      url: 'https://93.184.216.34/app.git',
      addresses: [],
      fetched: 'https://93.184.216.34/app.git',
      config: [],
    },
  ])('$url over $addresses', ({ url, addresses, fetched, config }) => {
    expect(pinnedFetch({ url: new URL(url), addresses })).toEqual({ url: fetched, config });
  });
});
