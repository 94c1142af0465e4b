import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { CliIo } from './context';
import { exitCodes } from './exit-codes';
import { buildProgram, runCli } from './program';
import { cliVersion } from './version';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cove-cli-program-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function captured() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

/** Runs the CLI in-process with an empty environment: no server or token unless given. */
async function run(argv: string[], env: Record<string, string> = {}) {
  const stdout = captured();
  const stderr = captured();
  const io: CliIo = {
    env: { HOME: home, PATH: '', ...env },
    stdin: Readable.from([]),
    stdout: stdout.stream,
    stderr: stderr.stream,
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function leafCommands(command: Command, prefix: string[] = []): string[][] {
  if (command.commands.length === 0) return [prefix];
  return command.commands.flatMap((sub) => leafCommands(sub, [...prefix, sub.name()]));
}

const silentIo: CliIo = {
  env: {},
  stdin: Readable.from([]),
  stdout: new PassThrough(),
  stderr: new PassThrough(),
};
const commands = leafCommands(buildProgram(silentIo)).filter((path) => path[0] !== 'help');

describe('the command line', () => {
  test('has the commands of this slice', () => {
    expect(commands.map((path) => path.join(' ')).sort()).toEqual(
      [
        'apps',
        'create',
        'delete',
        'deploy',
        'login',
        'logout',
        'logs',
        'open',
        'rollback',
        'secrets keys',
        'secrets rm',
        'secrets set',
        'sleep',
        'status',
        'tokens create',
        'tokens list',
        'tokens revoke',
        'wake',
      ].sort(),
    );
  });

  test.each(commands.map((path) => [path.join(' '), path]))(
    '`%s --help` exits 0 and offers --json',
    async (_name, path) => {
      const { code, stdout } = await run([...path, '--help']);
      expect(code).toBe(exitCodes.ok);
      expect(stdout).toContain(`Usage: cove ${path.join(' ')}`);
      expect(stdout).toContain('--json');
    },
  );

  test('the top-level help lists the exit codes', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(exitCodes.ok);
    expect(stdout).toMatch(/Exit codes:[\s\S]*2 {2}not signed in/);
  });

  test('--version is the package version', async () => {
    const packageJson = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
    expect(cliVersion).toBe(packageJson.version);
    expect((await run(['--version'])).stdout.trim()).toBe(cliVersion);
  });

  test.each([
    [['nope'], /unknown command 'nope'/],
    [['status'], /missing required argument 'app'/],
    [['create', 'my-app'], /required option '--repo <url>' not specified/],
    [['logs', 'my-app', '--build', '--runtime'], /Choose one log: --build or --runtime/],
    [['deploy', 'my-app', '--timeout', 'soon'], /time in seconds/],
    [['secrets', 'rm', 'my-app', 'API_KEY'], /removes no single key.*cove secrets set my-app/],
    [['secrets', 'rm', 'my-app'], /cove secrets rm my-app --all/],
    [['login', '--server', 'localhost:4100', '--token', 't'], /not an http\(s\) address/],
  ])('%j is a usage error (exit 1) that says why', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(exitCodes.usage);
    expect(stderr).toMatch(message);
  });

  test('a command that needs the API, without a server or token, says to log in (exit 2)', async () => {
    const { code, stderr } = await run(['apps']);
    expect(code).toBe(exitCodes.notSignedIn);
    expect(stderr).toContain('cove login');
  });

  test('an unreachable server is exit 5, naming the address', async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    const { code, stderr } = await run(['apps', '--json'], {
      COVE_API_URL: 'http://127.0.0.1:9',
      COVE_API_TOKEN: 'token',
    });
    expect(code).toBe(exitCodes.serverOrNetwork);
    expect(stderr).toContain('Could not reach http://127.0.0.1:9');
  });
});
