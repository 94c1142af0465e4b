// The programs a backup runs (pg_dump, pg_restore, restic): started without a shell, with a time
// limit, their stderr kept for the error a person reads. Nothing here ever logs an environment.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A backup or restore that cannot go on, in words that say what to do. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** The Debian package that has each program, for the "not installed" message. */
const packageOf: Record<string, string> = {
  pg_dump: 'postgresql-client',
  pg_restore: 'postgresql-client',
  restic: 'restic',
};

export interface ToolRun {
  /** Added to the process's own environment (credentials go here, never on the command line). */
  env?: Record<string, string>;
  /** Fed to the program's stdin. */
  input?: Readable;
  /** Where its stdout goes; without one it is collected and returned. */
  output?: Writable;
  timeoutMs: number;
  signal?: AbortSignal;
}

function programName(command: string): string {
  return command.split('/').at(-1) ?? command;
}

export async function runTool(command: string, args: readonly string[], run: ToolRun): Promise<string> {
  const name = programName(command);
  const child = spawn(command, args, {
    env: { ...process.env, ...run.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: run.timeoutMs,
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const streams: Promise<void>[] = [];
  if (run.output) streams.push(pipeline(child.stdout, run.output));
  else child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  if (run.input) streams.push(pipeline(run.input, child.stdin));
  else child.stdin.end();

  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let result: { code: number | null; signal: NodeJS.Signals | null };
  try {
    [result] = await Promise.all([exit, ...streams]);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new BackupError(
        `${name} is not installed: apt-get install -y ${packageOf[name] ?? name} (or put it on PATH).`,
      );
    }
    if (error instanceof Error && error.name === 'AbortError') throw new BackupError(`${name} was stopped.`);
    const said = Buffer.concat(stderr).toString('utf8').trim();
    throw new BackupError(
      `${name} failed: ${said || (error instanceof Error ? error.message : String(error))}`,
    );
  }
  if (result.code !== 0) {
    const said = Buffer.concat(stderr).toString('utf8').trim();
    const how =
      result.signal === 'SIGTERM'
        ? `did not finish within ${Math.round(run.timeoutMs / 1000)} s`
        : `exited with ${result.code ?? result.signal}`;
    throw new BackupError(`${name} ${how}${said ? `: ${said}` : ''}`);
  }
  return Buffer.concat(stdout).toString('utf8');
}
