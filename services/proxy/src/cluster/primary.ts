// The primary of a proxy running as several processes (node:cluster): it forks the workers, which
// share the listening port, replaces a worker that dies after a short backoff, and on SIGTERM or
// SIGINT asks every worker to drain, exiting once all have. It proxies nothing itself.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@cove/shared/logs/logger';
import { createRestartBackoff } from './restart-backoff';

export function runPrimary(options: {
  workerCount: number;
  logger: Logger;
  /** After this long, workers still draining are killed (their own drain is bounded below it). */
  stopTimeoutMs: number;
}): void {
  const { workerCount, logger, stopTimeoutMs } = options;
  const backoff = createRestartBackoff();
  // Live workers and when each started; node:cluster's own list keeps dead workers for a while.
  const startedAtMs = new Map<Worker, number>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  let isStopping = false;
  let hasFailedWorker = false;

  const fork = () => {
    const worker = cluster.fork();
    startedAtMs.set(worker, Date.now());
    logger.info({ workerId: worker.id, workerPid: worker.process.pid }, 'proxy worker started');
  };

  const exitWhenAllStopped = () => {
    if (startedAtMs.size > 0) return;
    logger.info('proxy stopped (all workers)');
    process.exit(hasFailedWorker ? 1 : 0);
  };

  cluster.on('exit', (worker, code, signal) => {
    const uptimeMs = Date.now() - (startedAtMs.get(worker) ?? Date.now());
    startedAtMs.delete(worker);
    if (isStopping) {
      // A worker still starting when asked to stop dies of the SIGTERM itself; that is a stop too.
      if (code !== 0 && signal !== 'SIGTERM') hasFailedWorker = true;
      exitWhenAllStopped();
      return;
    }
    const restartInMs = backoff.nextDelayMs(uptimeMs);
    logger.error(
      { workerId: worker.id, workerPid: worker.process.pid, code, signal, uptimeMs, restartInMs },
      'proxy worker died; starting another',
    );
    const timer = setTimeout(() => {
      pendingRestarts.delete(timer);
      fork();
    }, restartInMs);
    pendingRestarts.add(timer);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    for (const timer of pendingRestarts) clearTimeout(timer);
    pendingRestarts.clear();
    logger.info({ signal, workers: startedAtMs.size }, 'stopping proxy workers');
    // Each worker drains on SIGTERM exactly as a single-process proxy does.
    for (const worker of startedAtMs.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of startedAtMs.keys()) {
        logger.error(
          { workerId: worker.id, workerPid: worker.process.pid },
          'proxy worker did not stop; killing it',
        );
        worker.process.kill('SIGKILL');
      }
    }, stopTimeoutMs).unref();
    exitWhenAllStopped();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  logger.info({ workers: workerCount }, 'starting proxy workers');
  for (let index = 0; index < workerCount; index += 1) fork();
}
