// Runs the real `cove` bin (apps/cli/bin/cove.js and the bundle built from this checkout's sources)
// as a child process, with an environment of the test's choosing and, optionally, text on stdin.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Bundles the CLI as `npm run build` does, so the bin under test is the sources under test. */
export async function buildCli(): Promise<void> {
  await promisify(execFile)(process.execPath, [`${repoRoot}node_modules/tsup/dist/cli-default.js`], {
    cwd: `${repoRoot}apps/cli`,
    timeout: 60_000,
  });
}

export interface CoveRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCove {
  /** What the CLI has written to stderr so far. */
  stderr(): string;
  done: Promise<CoveRun>;
}

export function startCove(
  args: string[],
  options: { env: Record<string, string>; stdin?: string },
): RunningCove {
  const child = spawn(process.execPath, ['apps/cli/bin/cove.js', ...args], {
    cwd: repoRoot,
    // Only what the test gives: no COVE_* of the developer's shell leaks in.
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<CoveRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { stderr: () => stderr, done };
}

export function runCove(args: string[], options: { env: Record<string, string>; stdin?: string }) {
  return startCove(args, options).done;
}
