// What is kept to the operator's retention, pruned by the reconciler at most once an hour (the
// queries read whole tables; the rows they keep change slowly): apps' histories and analytics
// (COVE_HISTORY_RETENTION_DAYS), and metric samples (COVE_METRICS_RETENTION_DAYS).
import { pruneAnalytics } from '@cove/shared/insights/analytics-store';
import { pruneMetrics } from '@cove/shared/insights/metrics-store';
import { pruneAppHistory } from '@cove/shared/lifecycle/history';
import type { BuilderContext } from '../context';

const pruneEveryMs = 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;
let lastPrunedAt = Number.NEGATIVE_INFINITY;

export async function prunePastRetentionHourly(context: BuilderContext, now = Date.now()): Promise<void> {
  if (now - lastPrunedAt < pruneEveryMs) return;
  lastPrunedAt = now;
  const { config, db, logger } = context;
  const before = new Date(now - config.COVE_HISTORY_RETENTION_DAYS * dayMs);
  const removed = await pruneAppHistory(db, before);
  if (removed > 0) logger.info({ removed, before }, "pruned apps' history past its retention");
  const analytics = await pruneAnalytics(db, before);
  const metrics = await pruneMetrics(db, new Date(now - config.COVE_METRICS_RETENTION_DAYS * dayMs));
  if (analytics + metrics > 0) logger.info({ analytics, metrics }, 'pruned insights past their retention');
}
