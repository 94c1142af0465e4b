// Apps' build and runtime output: stored in Postgres and fanned out live over Redis pub/sub.
// Each published line carries its row id, so a reader that subscribes before reading the stored
// lines can drop the ones it has already seen.
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database } from '../db/client';
import { isForeignKeyViolation } from '../db/errors';
import { deploymentLogs, type LogStream, logStreams } from '../db/schema/deployments';

export const logLineMessage = z.object({
  id: z.number().int(),
  stream: z.enum(logStreams),
  line: z.string(),
  at: z.string(),
});
export type LogLineMessage = z.infer<typeof logLineMessage>;

export function logChannel(instance: string, deploymentId: string): string {
  return `cove:${instance}:logs:${deploymentId}`;
}

/** Signals the end of a live stream (the build finished, the container stopped). */
export const endOfLogMessage = 'end';

export async function appendLogLines(
  db: Database,
  redis: Redis,
  instance: string,
  deploymentId: string,
  stream: LogStream,
  lines: string[],
): Promise<void> {
  if (lines.length === 0) return;
  let rows: { id: number; line: string; createdAt: Date }[];
  try {
    rows = await db
      .insert(deploymentLogs)
      .values(lines.map((line) => ({ deploymentId, stream, line })))
      .returning({ id: deploymentLogs.id, line: deploymentLogs.line, createdAt: deploymentLogs.createdAt });
  } catch (error) {
    // The deployment was deleted with its app while its container still wrote: its log went too.
    if (isForeignKeyViolation(error)) return;
    throw error;
  }
  const channel = logChannel(instance, deploymentId);
  const pipeline = redis.pipeline();
  for (const row of rows) {
    const message: LogLineMessage = { id: row.id, stream, line: row.line, at: row.createdAt.toISOString() };
    pipeline.publish(channel, JSON.stringify(message));
  }
  await pipeline.exec();
}

export async function readLogLines(
  db: Database,
  deploymentId: string,
  stream: LogStream,
  afterId = 0,
): Promise<LogLineMessage[]> {
  const rows = await db
    .select()
    .from(deploymentLogs)
    .where(
      and(
        eq(deploymentLogs.deploymentId, deploymentId),
        eq(deploymentLogs.stream, stream),
        gt(deploymentLogs.id, afterId),
      ),
    )
    .orderBy(asc(deploymentLogs.id));
  return rows.map((row) => ({ id: row.id, stream, line: row.line, at: row.createdAt.toISOString() }));
}

/**
 * Collects lines and writes them in small batches, so a chatty build does not cost one insert per
 * line. flush() must be awaited before the deployment's status changes.
 */
export class LogWriter {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (lines: string[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 100,
  ) {}

  push(line: string): void {
    this.pending.push(line);
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => this.write(lines)).catch(this.onError);
    return this.writing;
  }
}
