// The Insights of one app for the dashboard and the API: its visitors and its CPU and memory,
// found by name within the workspace (another workspace's app is a missing one).
import type { AppsDeps } from '../apps/deps';
import { findApp } from '../apps/queries';
import type {
  AppAnalyticsQuery,
  AppAnalyticsResponse,
  AppMetricsQuery,
  AppMetricsResponse,
} from '../contracts/insights';
import { readAppAnalytics } from './analytics-store';
import { readAppMetrics } from './metrics-store';

export async function getAppAnalytics(
  deps: Pick<AppsDeps, 'db' | 'redis' | 'config'>,
  workspaceId: string,
  name: string,
  query: AppAnalyticsQuery,
  nowMs = Date.now(),
): Promise<AppAnalyticsResponse> {
  const app = await findApp(deps.db, workspaceId, name);
  return readAppAnalytics(
    { db: deps.db, redis: deps.redis, instance: deps.config.COVE_INSTANCE },
    workspaceId,
    app,
    {
      days: query.days,
      nowMs,
    },
  );
}

export async function getAppMetrics(
  deps: Pick<AppsDeps, 'db' | 'config'>,
  workspaceId: string,
  name: string,
  query: AppMetricsQuery,
  nowMs = Date.now(),
): Promise<AppMetricsResponse> {
  const app = await findApp(deps.db, workspaceId, name);
  return readAppMetrics(deps.db, deps.config, workspaceId, app, { hours: query.hours, nowMs });
}
