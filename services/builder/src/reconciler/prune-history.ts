// Apps' histories kept to the operator's retention: pruned by the reconciler at most once an hour
// (the query reads the whole table; the rows it keeps change slowly).
import { pruneAppHistory } from '@cove/shared/lifecycle/history';
import type { BuilderContext } from '../context';

const pruneEveryMs = 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;
let lastPrunedAt = Number.NEGATIVE_INFINITY;

export async function pruneHistoryHourly(context: BuilderContext, now = Date.now()): Promise<void> {
  if (now - lastPrunedAt < pruneEveryMs) return;
  lastPrunedAt = now;
  const before = new Date(now - context.config.COVE_HISTORY_RETENTION_DAYS * dayMs);
  const removed = await pruneAppHistory(context.db, before);
  if (removed > 0) context.logger.info({ removed, before }, "pruned apps' history past its retention");
}
