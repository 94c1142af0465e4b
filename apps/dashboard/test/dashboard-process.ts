// The dashboard as it runs: its own server (server/main.ts) in front of Next's build, started as a
// child process on a free port of 127.0.0.1 with the environment given (a test context's database
// and Redis). Used by the dashboard's server test and by the CLI's, which talks to it as to Cove.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const dashboardDir = fileURLToPath(new URL('../', import.meta.url));
const startTimeoutMs = 60_000;

export interface DashboardServer {
  origin: string;
  stop(): Promise<void>;
}

export async function startDashboardServer(env: Record<string, string>): Promise<DashboardServer> {
  if (!existsSync(`${dashboardDir}.next/BUILD_ID`))
    throw new Error('The dashboard is not built: run `npm run build -w @cove/dashboard` first.');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: dashboardDir,
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'production',
      // The port it bound is read from its "dashboard listening" line (a test context's level would hide it).
      COVE_LOG_LEVEL: 'info',
      COVE_DASHBOARD_HOST: '127.0.0.1',
      COVE_DASHBOARD_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The dashboard did not start within ${startTimeoutMs} ms:\n${output}`)),
        startTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-8000);
        const match = /"port":(\d+).*"msg":"dashboard listening"/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The dashboard exited (${code}) before listening:\n${output}`));
      });
    });
    return { origin: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
