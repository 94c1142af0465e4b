import { mkdir, mkdtemp, readFile, readlink, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { create, Header } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoveError } from '../errors';
import { extractArchive, inspectArchive } from './archive';

const limits = { maxUnpackedBytes: 10 * 1024 * 1024, maxFiles: 100 };

interface RawEntry {
  path: string;
  type?: string;
  body?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

/** A tar written block by block, so it can hold what no packing tool would write. */
function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body === undefined ? Buffer.alloc(0) : Buffer.from(entry.body);
    const header = new Header({
      path: entry.path,
      type: (entry.type ?? 'File') as 'File',
      size: body.length,
      mode: entry.mode ?? 0o644,
      mtime: new Date(0),
      ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function refusal(archive: Buffer, custom = limits): Promise<CoveError> {
  const error = await inspectArchive(archive, custom).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CoveError);
  return error as CoveError;
}

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'cove-archive-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function packFolder(options: { gzip: boolean }): Promise<Buffer> {
  const stream = create({ cwd: folder, gzip: options.gzip, portable: true }, ['.']);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('inspectArchive', () => {
  it('gives the same digest for the same content, whatever the times and the compression', async () => {
    await writeFile(path.join(folder, 'streamlit_app.py'), 'import streamlit as st\n');
    await mkdir(path.join(folder, 'pages'));
    await writeFile(path.join(folder, 'pages', 'one.py'), 'print(1)\n');
    const first = await inspectArchive(await packFolder({ gzip: true }), limits);
    await utimes(path.join(folder, 'streamlit_app.py'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = await inspectArchive(await packFolder({ gzip: false }), limits);
    expect(second.digest).toBe(first.digest);
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.files).toEqual(['pages/one.py', 'streamlit_app.py']);
    expect(first.fileCount).toBe(2);
  });

  it('gives another digest when a file, its executable bit or its path changes', async () => {
    const base = await inspectArchive(rawTar([{ path: 'app.py', body: 'a' }]), limits);
    const content = await inspectArchive(rawTar([{ path: 'app.py', body: 'b' }]), limits);
    const executable = await inspectArchive(rawTar([{ path: 'app.py', body: 'a', mode: 0o755 }]), limits);
    const moved = await inspectArchive(rawTar([{ path: 'src/app.py', body: 'a' }]), limits);
    expect(new Set([base.digest, content.digest, executable.digest, moved.digest]).size).toBe(4);
  });

  it('refuses paths that leave the folder', async () => {
    expect((await refusal(rawTar([{ path: '../evil.py', body: 'x' }]))).message).toMatch(/goes up out of/);
    expect((await refusal(rawTar([{ path: 'a/../../evil.py', body: 'x' }]))).message).toMatch(/\.\./);
    expect((await refusal(rawTar([{ path: '/etc/passwd', body: 'x' }]))).message).toMatch(/absolute/);
    expect((await refusal(rawTar([{ path: 'a\\b.py', body: 'x' }]))).message).toMatch(/backslash/);
  });

  it('refuses hard links, devices, FIFOs and symbolic links that point outside', async () => {
    const hard = rawTar([
      { path: 'app.py', body: 'x' },
      { path: 'copy.py', type: 'Link', linkpath: 'app.py' },
    ]);
    expect((await refusal(hard)).message).toMatch(/hard link/);
    expect((await refusal(rawTar([{ path: 'dev', type: 'CharacterDevice' }]))).message).toMatch(/a device/);
    expect((await refusal(rawTar([{ path: 'pipe', type: 'FIFO' }]))).message).toMatch(/named pipe/);
    const absolute = rawTar([{ path: 'passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' }]);
    expect((await refusal(absolute)).message).toMatch(/outside the folder/);
    const upward = rawTar([{ path: 'a/up', type: 'SymbolicLink', linkpath: '../../x' }]);
    expect((await refusal(upward)).message).toMatch(/outside the folder/);
    const inside = rawTar([
      { path: 'data/real.csv', body: '1,2' },
      { path: 'data/link.csv', type: 'SymbolicLink', linkpath: 'real.csv' },
    ]);
    expect((await inspectArchive(inside, limits)).files).toEqual(['data/real.csv']);
  });

  it('stops at the file and size limits, even for an archive that unpacks to far more than it weighs', async () => {
    const many = rawTar(Array.from({ length: 6 }, (_, index) => ({ path: `f${index}.py`, body: 'x' })));
    const tooMany = await refusal(many, { ...limits, maxFiles: 5 });
    expect(tooMany.code).toBe('too_large');
    expect(tooMany.message).toMatch(/more than 5 files/);
    const bomb = gzipSync(rawTar([{ path: 'zeros.bin', body: Buffer.alloc(64 * 1024 * 1024) }]));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const tooBig = await refusal(bomb, { ...limits, maxUnpackedBytes: 1024 * 1024 });
    expect(tooBig.code).toBe('too_large');
    expect(tooBig.message).toMatch(/unpacks to more than 1 MB/);
  });

  it('says plainly when the body is no tar archive or holds nothing', async () => {
    expect((await refusal(Buffer.from('{"not":"a tar"}'.repeat(100)))).message).toMatch(/not a tar archive/);
    expect((await refusal(rawTar([{ path: './', type: 'Directory' }]))).message).toMatch(/empty/);
  });
});

describe('extractArchive', () => {
  it('unpacks files with plain modes and links inside the folder', async () => {
    const archive = rawTar([
      { path: 'app.py', body: 'print(1)\n', mode: 0o600 },
      { path: 'bin/run.sh', body: '#!/bin/sh\n', mode: 0o700 },
      { path: 'latest.py', type: 'SymbolicLink', linkpath: 'app.py' },
    ]);
    const target = path.join(folder, 'out');
    await mkdir(target);
    await extractArchive(archive, target, limits);
    expect(await readFile(path.join(target, 'app.py'), 'utf8')).toBe('print(1)\n');
    expect((await stat(path.join(target, 'app.py'))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(target, 'bin/run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readlink(path.join(target, 'latest.py'))).toBe('app.py');
  });

  it('refuses to unpack an archive the checks refuse, writing nothing', async () => {
    const target = path.join(folder, 'out');
    await mkdir(target);
    const archive = rawTar([
      { path: 'app.py', body: 'x' },
      { path: '../escaped.py', body: 'x' },
    ]);
    await expect(extractArchive(archive, target, limits)).rejects.toThrow(/goes up out of/);
    await expect(stat(path.join(folder, 'escaped.py'))).rejects.toThrow();
    await expect(stat(path.join(target, 'app.py'))).rejects.toThrow();
  });
});
