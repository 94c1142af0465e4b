// Out-of-memory kills as the engine reports them, the moment they happen. A kill of the main
// process also stops the container (the reconciler then marks the app crashed and restarts it);
// a kill of only a child leaves it running, and this watch is the only place that sees it.
import { schema } from '@cove/shared/db/client';
import { recordOomKillEvent } from '@cove/shared/insights/metrics-store';
import { appendLogLines } from '@cove/shared/logs/deployment-logs';
import { and, eq } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { type LogFollower, labelKeys } from '../runtime/types';
import { oomKillMessage } from './oom-message';

const { apps, deployments } = schema;

async function recordOomKill(context: BuilderContext, containerId: string): Promise<void> {
  const { db, redis, runtime, config, logger } = context;
  const container = await runtime.inspect(containerId);
  const deploymentId = container?.labels[labelKeys.deploymentId];
  const appId = container?.labels[labelKeys.appId];
  if (!container || !deploymentId || !appId) return;
  const isStillRunning = container.state === 'running';
  const memoryPeakMb = isStillRunning ? await runtime.memoryPeakMb(containerId) : null;
  const message = oomKillMessage({
    isProcessKill: true,
    memoryLimitMb: container.memoryLimitMb,
    memoryPeakMb,
  });
  logger.info({ appId, deploymentId, containerId, isStillRunning }, 'out of memory');
  // Only the container that serves speaks for the app: a fresh one killed while it starts beside it
  // (a reboot, new secrets or limits) is reported by its swap, which keeps the old one serving.
  const [live] = await db
    .select({ containerId: deployments.containerId, workspaceId: deployments.workspaceId })
    .from(deployments)
    .where(eq(deployments.id, deploymentId));
  // Marked on the app's memory chart, whichever instance it was.
  if (live) await recordOomKillEvent(db, { appId, workspaceId: live.workspaceId, deploymentId });
  if (isStillRunning && live?.containerId === containerId) {
    // The page says so while the app runs on; if the main process was the one killed, the
    // reconciler's crash message replaces this one. Written before the log line, so whoever sees
    // the line in the log also finds it on the app.
    await db
      .update(apps)
      .set({ statusMessage: message })
      .where(and(eq(apps.id, appId), eq(apps.liveDeploymentId, deploymentId), eq(apps.status, 'running')));
  }
  await appendLogLines(db, redis, config.COVE_INSTANCE, deploymentId, 'runtime', [`Cove: ${message}`]);
}

export interface OomWatch {
  stop(): Promise<void>;
}

/** Watches this instance's containers; the engine's event stream is re-opened if it drops. */
export function startOomWatch(context: BuilderContext, retryMs = 5_000): OomWatch {
  let isStopped = false;
  let current: LogFollower | null = null;
  let retry: NodeJS.Timeout | undefined;
  let loop: Promise<void> = Promise.resolve();

  const onOomKill = (containerId: string) => {
    loop = loop
      .then(() => recordOomKill(context, containerId))
      .catch((error: unknown) =>
        context.logger.error({ err: error, containerId }, 'could not record an out-of-memory kill'),
      );
  };

  const open = async (): Promise<void> => {
    if (isStopped) return;
    try {
      current = await context.runtime.watchOomKills(
        { [labelKeys.instance]: context.config.COVE_INSTANCE },
        onOomKill,
      );
      if (isStopped) current.stop();
      await current.ended;
    } catch (error) {
      context.logger.warn({ err: error }, 'could not watch the engine for out-of-memory kills');
    }
    if (!isStopped) retry = setTimeout(() => void open(), retryMs);
  };
  void open();

  return {
    async stop() {
      isStopped = true;
      clearTimeout(retry);
      current?.stop();
      await loop;
    },
  };
}
