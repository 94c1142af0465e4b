// HTTP load with wrk (Debian's package): a fixed count of keep-alive connections asking for the
// page shell as fast as answers come, for a fixed time. wrk is C and costs far less than the
// servers it loads, which keeps the side-by-side fair.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseWrkReport, type WrkReport } from './wrk-report';

const reportScript = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

export interface WrkOptions {
  port: number;
  hostHeader: string;
  connections: number;
  threads: number;
  durationSeconds: number;
}

export function runWrk(options: WrkOptions): Promise<WrkReport> {
  const args = [
    `--threads=${options.threads}`,
    `--connections=${options.connections}`,
    `--duration=${options.durationSeconds}s`,
    '--timeout=5s',
    `--script=${reportScript}`,
    `--header=Host: ${options.hostHeader}`,
    `http://127.0.0.1:${options.port}/`,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (options.durationSeconds + 15) * 1_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message} ${stderr}`.trim()));
      try {
        resolve(parseWrkReport(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
