// Reads the JSON line wrk-report.lua prints at the end of a wrk run.
import { z } from 'zod';

export const wrkReport = z.object({
  requests: z.number(),
  durationUs: z.number().positive(),
  bytes: z.number(),
  p50Us: z.number(),
  p90Us: z.number(),
  p99Us: z.number(),
  maxUs: z.number(),
  meanUs: z.number(),
  connectErrors: z.number(),
  readErrors: z.number(),
  writeErrors: z.number(),
  statusErrors: z.number(),
  timeouts: z.number(),
});
export type WrkReport = z.infer<typeof wrkReport>;

const marker = 'WRK_JSON ';

export function parseWrkReport(stdout: string): WrkReport {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(marker));
  if (line === undefined) throw new Error(`wrk printed no report line; it said: ${stdout.slice(0, 500)}`);
  return wrkReport.parse(JSON.parse(line.slice(marker.length)));
}

export function requestsPerSecond(report: WrkReport): number {
  return report.requests / (report.durationUs / 1_000_000);
}

export function errorCount(report: WrkReport): number {
  return (
    report.connectErrors + report.readErrors + report.writeErrors + report.statusErrors + report.timeouts
  );
}
