import { describe, expect, test } from 'vitest';
import { type CloneRequest, explainFetchError } from './clone';
import { DeployFailure } from './failure';

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
  ])('$message', ({ stderr, request: given, message, isPermanent }) => {
    const error = explainFetchError(stderr, given);
    expect(error).toBeInstanceOf(DeployFailure);
    expect(error).toMatchObject({ message, isPermanent });
  });
});
