import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { readRepositoryFiles } from './dependencies/repository-files';
import { checkMainFile } from './repository-checks';

const commit = { sha: 'a'.repeat(40), branch: 'main' };
const outside = /^The main file `app\.py` leads outside the repository/;
let scratch: string;
let repository: string;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cove-checks-'));
  repository = path.join(scratch, 'repository');
  await mkdir(path.join(repository, 'src'), { recursive: true });
  await writeFile(path.join(repository, 'src', 'main.py'), 'import streamlit\n');
  // A file beside the clone, as the builder host's own files are.
  await writeFile(path.join(scratch, 'host-secret'), "not the app's\n");
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('checkMainFile', () => {
  test('accepts a main file that is a symlink to a file inside the repository', async () => {
    await symlink('src/main.py', path.join(repository, 'app.py'));
    await expect(checkMainFile(repository, 'app.py', commit)).resolves.toBeUndefined();
  });

  test('accepts a link through a linked folder inside the repository', async () => {
    await symlink('src', path.join(repository, 'code'));
    await symlink('code/../code/main.py', path.join(repository, 'app.py'));
    await expect(checkMainFile(repository, 'app.py', commit)).resolves.toBeUndefined();
  });

  // The same refusal whether the target exists on the host or not: no file-existence oracle.
  test.each([
    ['an absolute path that exists', () => path.join(scratch, 'host-secret')],
    ['an absolute path that does not exist', () => path.join(scratch, 'no-such-file')],
    ['a relative path out of the clone that exists', () => '../host-secret'],
    ['a relative path out of the clone that does not exist', () => '../no-such-file'],
  ])('refuses a symlink to %s', async (_name, target) => {
    await symlink(target(), path.join(repository, 'app.py'));
    await expect(checkMainFile(repository, 'app.py', commit)).rejects.toThrow(outside);
  });

  test('refuses a link through a folder that links outside', async () => {
    await symlink(scratch, path.join(repository, 'up'));
    await symlink('up/host-secret', path.join(repository, 'app.py'));
    await expect(checkMainFile(repository, 'app.py', commit)).rejects.toThrow(outside);
  });

  test('a missing main file is still named as missing', async () => {
    await expect(checkMainFile(repository, 'app.py', commit)).rejects.toThrow(
      /^The main file `app\.py` is not in the repository at commit aaaaaaa \(branch main\)\. Files at the top level: src\//,
    );
  });
});

describe('readRepositoryFiles', () => {
  test('reads a linked file inside the repository and treats one outside as absent', async () => {
    await writeFile(path.join(repository, 'src', 'requirements.txt'), 'pandas\n');
    await symlink('src/requirements.txt', path.join(repository, 'requirements.txt'));
    await symlink(path.join(scratch, 'host-secret'), path.join(repository, 'packages.txt'));
    const files = await readRepositoryFiles(repository, ['requirements.txt', 'packages.txt']);
    expect([...files]).toEqual([['requirements.txt', 'pandas\n']]);
  });
});
