import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type GitServer, startGitServer } from './git-server';

const run = promisify(execFile);
let server: GitServer;
let scratch: string;

beforeAll(async () => {
  server = await startGitServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'cove-git-test-'));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

test('serves a repository over smart HTTP and follows new commits', async () => {
  const first = await server.createRepo('hello', { 'app.py': 'print(1)\n' });
  const { stdout } = await run('git', ['ls-remote', server.repoUrl('hello'), 'refs/heads/main']);
  expect(stdout.split('\t')[0]).toBe(first);

  const second = await server.commit('hello', { 'app.py': 'print(2)\n' }, 'Change the text');
  expect(second).not.toBe(first);
  const clone = path.join(scratch, 'clone');
  await run('git', ['clone', '--quiet', '--depth', '1', server.repoUrl('hello'), clone]);
  expect(await readFile(path.join(clone, 'app.py'), 'utf8')).toBe('print(2)\n');
});
