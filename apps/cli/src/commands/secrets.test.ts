import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CliIo } from '../context';
import { exitCodes } from '../exit-codes';
import { readSecretsSource } from './secrets';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cove-cli-secrets-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function io(stdin: Readable & { isTTY?: boolean }): CliIo {
  return { env: {}, stdin, stdout: new PassThrough(), stderr: new PassThrough() };
}

describe('where secrets set reads the TOML', () => {
  test('a file', async () => {
    const file = join(folder, 'secrets.toml');
    await writeFile(file, 'A = "1"\n');
    expect(await readSecretsSource(io(Readable.from([])), file)).toBe('A = "1"\n');
  });

  test('stdin, for "-" and for no argument from a pipe', async () => {
    expect(await readSecretsSource(io(Readable.from([Buffer.from('A = '), Buffer.from('"1"\n')])), '-')).toBe(
      'A = "1"\n',
    );
    expect(await readSecretsSource(io(Readable.from(['B = "2"'])), undefined)).toBe('B = "2"');
  });

  test('no argument on a terminal, or a missing file, is a usage error saying what to give', async () => {
    const terminal = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readSecretsSource(io(terminal), undefined)).rejects.toMatchObject({
      exitCode: exitCodes.usage,
      message: expect.stringContaining('Give a TOML file, or "-"'),
    });
    await expect(readSecretsSource(io(Readable.from([])), join(folder, 'absent.toml'))).rejects.toMatchObject(
      {
        exitCode: exitCodes.usage,
        message: expect.stringContaining('ENOENT'),
      },
    );
  });
});
