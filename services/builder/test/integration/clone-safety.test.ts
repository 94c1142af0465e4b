// The clone goes only where the URL policy looked: not to the host a backslash hides from the
// WHATWG parser, not along a redirect, and to the address the policy resolved (git does not ask
// DNS again). Real git over HTTP against listeners on 127.0.0.1.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GitUrlPolicy } from '@cove/shared/git/url-policy';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { type CloneRequest, cloneCommit } from '../../src/builds/clone';

// The local set-up's policy: 127.0.0.1 is allowed, so only the parsing, redirect and pinning
// rules stand between these URLs and the listener.
const localPolicy: GitUrlPolicy = { allowedSchemes: ['http'], allowPrivateAddresses: true };

let forge: GitServer;
let internal: Server;
let redirector: Server;
let internalRequests: string[];
let redirectorRequests: string[];
let directory: string;

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function close(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}

beforeAll(async () => {
  forge = await startGitServer();
  // Stands for an internal service the builder can reach and a tenant must not.
  internal = await listen(
    createServer((request, response) => {
      internalRequests.push(request.url ?? '');
      response.writeHead(404).end();
    }),
  );
  // Stands for a public host that sends git on to the internal one.
  redirector = await listen(
    createServer((request, response) => {
      redirectorRequests.push(request.url ?? '');
      response
        .writeHead(302, { location: `http://127.0.0.1:${portOf(internal)}/internal${request.url}` })
        .end();
    }),
  );
});

afterAll(async () => {
  await close(internal);
  await close(redirector);
  await forge?.close();
});

beforeEach(async () => {
  internalRequests = [];
  redirectorRequests = [];
  directory = await mkdtemp(path.join(tmpdir(), 'cove-clone-safety-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function failureOf(cloning: Promise<unknown>): Promise<unknown> {
  return cloning.then(
    () => new Error('the clone succeeded'),
    (error: unknown) => error,
  );
}

function clone(repoUrl: string, extra: Partial<CloneRequest> = {}) {
  return cloneCommit({
    repoUrl,
    branch: 'main',
    commitSha: null,
    directory: path.join(directory, 'repository'),
    policy: localPolicy,
    timeoutMs: 60_000,
    ...extra,
  });
}

test('a URL whose host a backslash hides is refused before git reaches it', async () => {
  const failure = await failureOf(clone(`http://pub.localhost\\@127.0.0.1:${portOf(internal)}/x.git`));
  expect(internalRequests).toEqual([]);
  expect(failure).toMatchObject({
    message: expect.stringMatching(/cannot contain backslashes/),
    isPermanent: true,
  });
});

test('a redirect is not followed: the clone fails with a plain message and the target sees nothing', async () => {
  const failure = await failureOf(clone(`http://127.0.0.1:${portOf(redirector)}/repo.git`));
  expect(redirectorRequests).toEqual(['/repo.git/info/refs?service=git-upload-pack']);
  expect(internalRequests).toEqual([]);
  expect(failure).toMatchObject({
    message: expect.stringMatching(/redirects to another address, and Cove does not follow redirects/),
    isPermanent: true,
  });
});

test('git connects to the address the policy resolved, and resolves nothing itself', async () => {
  const sha = await forge.createRepo('pinned', { 'app.py': 'print("pinned")\n' });
  const lookups: string[] = [];
  // No DNS server knows this name (.invalid): only the pin can take git to the forge.
  const cloned = await clone(`http://cove-pinned.invalid:${new URL(forge.baseUrl).port}/pinned.git`, {
    resolveHost: async (hostname) => {
      lookups.push(hostname);
      return ['127.0.0.1'];
    },
  });
  expect(cloned.sha).toBe(sha);
  expect(lookups).toEqual(['cove-pinned.invalid']);
});
