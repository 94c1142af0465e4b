// The builder's Insights: every COVE_METRICS_SAMPLE_SECONDS it samples the apps' CPU and memory,
// and every COVE_ANALYTICS_ROLLUP_SECONDS it rolls the proxies' visitor counters from Redis into
// Postgres. Apart from the reconciler, so a slow engine's stats never hold up a pass (the
// reconciler prunes what is past its retention: reconciler/prune-retention.ts).
import { rollUpAnalytics } from '@cove/shared/insights/analytics-store';
import type { BuilderContext } from '../context';
import { sampleAppMetrics } from './metrics-sampler';

export interface InsightsLoop {
  /** One round of whatever is due now (tests call it to not wait for the timers). */
  runOnce(nowMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startInsightsLoop(context: BuilderContext): InsightsLoop {
  const { config, db, redis, logger } = context;
  const sampleEveryMs = config.COVE_METRICS_SAMPLE_SECONDS * 1000;
  const rollUpEveryMs = config.COVE_ANALYTICS_ROLLUP_SECONDS * 1000;
  let lastSampledAt = Number.NEGATIVE_INFINITY;
  let lastRolledUpAt = Number.NEGATIVE_INFINITY;
  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function due(nowMs: number): Promise<void> {
    if (sampleEveryMs > 0 && nowMs - lastSampledAt >= sampleEveryMs) {
      lastSampledAt = nowMs;
      await sampleAppMetrics(context, new Date(nowMs));
    }
    if (nowMs - lastRolledUpAt >= rollUpEveryMs) {
      lastRolledUpAt = nowMs;
      await rollUpAnalytics(db, redis, config.COVE_INSTANCE, nowMs);
    }
  }

  function runOnce(nowMs = Date.now()): Promise<void> {
    running = running
      .then(() => due(nowMs))
      .catch((error: unknown) => logger.warn({ err: error }, 'insights round failed; will try again'));
    return running;
  }

  const tickMs = Math.max(1000, Math.min(sampleEveryMs || rollUpEveryMs, rollUpEveryMs));
  const tick = () => {
    if (isStopped) return;
    timer = setTimeout(() => void runOnce().finally(tick), tickMs);
    timer.unref();
  };
  tick();

  return {
    runOnce,
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      await running;
      // What the proxies counted since the last round is not left for the next builder to find late.
      await rollUpAnalytics(db, redis, config.COVE_INSTANCE, Date.now()).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not roll up analytics at stop'),
      );
    },
  };
}
