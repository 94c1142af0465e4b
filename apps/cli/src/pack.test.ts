import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspectArchive } from '@cove/shared/uploads/archive';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CliError } from './exit-codes';
import { listFolder, packFolder } from './pack';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cove-pack-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
}

test('leaves out what .gitignore and .coveignore say, each from its own folder down, and .git', async () => {
  await put({
    'streamlit_app.py': 'import streamlit',
    '.gitignore': '__pycache__/\n*.log\n/build\n',
    '.coveignore': 'notebooks/\n',
    'build/out.txt': 'x',
    'pages/build/kept.py': 'x',
    'pages/__pycache__/a.pyc': 'x',
    'pages/one.py': 'x',
    'pages/debug.log': 'x',
    'notebooks/explore.ipynb': '{}',
    'data/.gitignore': '*.csv\n!keep.csv\n',
    'data/big.csv': '1',
    'data/keep.csv': '2',
    '.git/HEAD': 'ref: refs/heads/main',
  });
  await symlink('pages/one.py', path.join(root, 'latest.py'));
  const { files } = await listFolder(root);
  expect(files).toEqual([
    '.coveignore',
    '.gitignore',
    'data/.gitignore',
    'data/keep.csv',
    'latest.py',
    'pages/build/kept.py',
    'pages/one.py',
    'streamlit_app.py',
  ]);
});

test('packs a tar.gz the platform accepts, with the same digest when packed again', async () => {
  await put({ 'streamlit_app.py': 'import streamlit', 'src/util.py': 'x = 1' });
  const first = await packFolder(root);
  const limits = { maxUnpackedBytes: 1024 * 1024, maxFiles: 10 };
  const summary = await inspectArchive(first.archive, limits);
  expect(summary.files).toEqual(['src/util.py', 'streamlit_app.py']);
  expect(first.bytes).toBe('import streamlit'.length + 'x = 1'.length);
  expect((await inspectArchive((await packFolder(root)).archive, limits)).digest).toBe(summary.digest);
});

test('says so when there is no folder or nothing in it to deploy', async () => {
  await expect(packFolder(path.join(root, 'missing'))).rejects.toThrow(/There is no folder at/);
  await put({ '.gitignore': '*\n' });
  const error = await packFolder(root).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).message).toMatch(/has nothing to deploy/);
});
