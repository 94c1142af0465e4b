// A live view of one deployment's log stream: the stored lines, then the ones published while the
// reader watches. It subscribes before reading the store and drops ids already given, so no line
// is lost or repeated in between.
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Database } from '../db/client';
import { type DeploymentStatus, deployments, type LogStream } from '../db/schema/deployments';
import {
  endOfLogMessage,
  type LogLineMessage,
  logChannel,
  logLineMessage,
  readLogLines,
} from '../logs/deployment-logs';

export interface FollowLogsDeps {
  db: Database;
  redis: Redis;
  instance: string;
}

const buildFinished = new Set<DeploymentStatus>(['running', 'failed', 'superseded', 'cancelled']);
const runtimeFinished = new Set<DeploymentStatus>(['failed', 'superseded', 'cancelled']);

/** Whether no more lines will come on this stream, judged from the deployment's status. */
async function isStreamFinished(db: Database, deploymentId: string, stream: LogStream): Promise<boolean> {
  const [row] = await db
    .select({ status: deployments.status })
    .from(deployments)
    .where(eq(deployments.id, deploymentId));
  if (!row) return true;
  return (stream === 'build' ? buildFinished : runtimeFinished).has(row.status);
}

/**
 * Yields lines with id > afterId until the stream ends or the signal aborts. The caller must have
 * checked that the deployment belongs to its workspace. Holds one Redis connection while it runs.
 */
export async function* followLogLines(
  deps: FollowLogsDeps,
  deploymentId: string,
  stream: LogStream,
  options: { afterId?: number; signal: AbortSignal },
): AsyncGenerator<LogLineMessage> {
  const subscriber = deps.redis.duplicate();
  const live: LogLineMessage[] = [];
  let hasEndMessage = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  subscriber.on('message', (_channel: string, raw: string) => {
    if (raw === endOfLogMessage) {
      hasEndMessage = true;
    } else {
      const parsed = logLineMessage.safeParse(safeJson(raw));
      if (parsed.success && parsed.data.stream === stream) live.push(parsed.data);
    }
    notify();
  });
  // A closed connection must end the stream rather than leave the reader waiting forever.
  subscriber.on('end', () => {
    hasEndMessage = true;
    notify();
  });
  subscriber.on('error', () => {});
  options.signal.addEventListener('abort', notify);
  try {
    await subscriber.subscribe(logChannel(deps.instance, deploymentId));
    let lastId = options.afterId ?? 0;
    for (const line of await readLogLines(deps.db, deploymentId, stream, lastId)) {
      if (options.signal.aborted) return;
      yield line;
      lastId = line.id;
    }
    let isFinished = await isStreamFinished(deps.db, deploymentId, stream);
    while (!options.signal.aborted) {
      for (let line = live.shift(); line !== undefined; line = live.shift()) {
        if (line.id <= lastId) continue;
        yield line;
        lastId = line.id;
      }
      if (isFinished) return;
      if (hasEndMessage) {
        // The runtime stream of a deployment outlives a container restart; only its status ends it.
        isFinished = stream === 'build' || (await isStreamFinished(deps.db, deploymentId, stream));
        hasEndMessage = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    options.signal.removeEventListener('abort', notify);
    subscriber.disconnect();
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
