// GET /apps/{name}/analytics and /metrics as a caller sees them: the contract's shapes, every day of
// the window, a private app's last viewers, the limit and the out-of-memory marks, plain-words
// errors for a bad window, and nothing of another workspace's app.

import { errorResponse } from '@cove/shared/contracts/api';
import { appAnalyticsResponse, appMetricsResponse } from '@cove/shared/contracts/insights';
import { schema } from '@cove/shared/db/client';
import { emptyAnalyticsBatch, recordAnalytics, utcDay } from '@cove/shared/insights/analytics-counters';
import { rollUpAnalytics } from '@cove/shared/insights/analytics-store';
import { recordMetricSamples, recordOomKillEvent } from '@cove/shared/insights/metrics-store';
import type { TestContext } from '@cove/shared/testing/context';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as analyticsRoute from '../../app/api/v1/apps/[name]/analytics/route';
import * as metricsRoute from '../../app/api/v1/apps/[name]/metrics/route';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;

beforeAll(async () => {
  context = await startDashboardContext();
});
afterAll(() => stopDashboardContext(context));

test("a private app's analytics: totals, every day of the window, and its last viewers", async () => {
  const owner = await signUpWithToken();
  const app = await createTestApp(owner.token, 'seen');
  await context.db.update(schema.apps).set({ visibility: 'private' }).where(eq(schema.apps.id, app.appId));
  const nowMs = Date.now();
  const batch = emptyAnalyticsBatch();
  batch.viewsByAppId.set(app.appId, 5);
  batch.viewersByAppId.set(app.appId, new Set(['user:ada@example.com', 'user:bob@example.com']));
  batch.lastViewersByAppId.set(
    app.appId,
    new Map([
      ['ada@example.com', nowMs - 60_000],
      ['bob@example.com', nowMs - 1_000],
    ]),
  );
  batch.endedSessionsByAppId.set(app.appId, { count: 2, totalMs: 90_000 });
  await recordAnalytics(context.redis, context.instance, batch, nowMs);
  await rollUpAnalytics(context.db, context.redis, context.instance, nowMs);

  const answer = await call(analyticsRoute.GET, {
    path: `/apps/${app.name}/analytics?days=7`,
    params: { name: app.name },
    token: owner.token,
  });
  expect(answer.status).toBe(200);
  const analytics = appAnalyticsResponse.parse(await answer.json());
  expect(analytics).toMatchObject({
    days: 7,
    totalViews: 5,
    uniqueViewers: 2,
    sessions: 2,
    averageSessionSeconds: 45,
  });
  expect(analytics.perDay.map((day) => day.day).at(-1)).toBe(utcDay(nowMs));
  expect(analytics.perDay).toHaveLength(7);
  expect(analytics.lastViewers?.map((viewer) => viewer.email)).toEqual([
    'bob@example.com',
    'ada@example.com',
  ]);

  // The default window is 30 days; a window past 90 is refused in words.
  const byDefault = await call(analyticsRoute.GET, {
    path: `/apps/${app.name}/analytics`,
    params: { name: app.name },
    token: owner.token,
  });
  expect(appAnalyticsResponse.parse(await byDefault.json()).perDay).toHaveLength(30);
  const tooLong = await call(analyticsRoute.GET, {
    path: `/apps/${app.name}/analytics?days=365`,
    params: { name: app.name },
    token: owner.token,
  });
  expect(tooLong.status).toBe(400);
  expect(errorResponse.parse(await tooLong.json()).error.message).toBe(
    'days: must be a whole number from 1 to 90.',
  );

  // Another workspace's owner finds no such app.
  const stranger = await signUpWithToken();
  const elsewhere = await call(analyticsRoute.GET, {
    path: `/apps/${app.name}/analytics`,
    params: { name: app.name },
    token: stranger.token,
  });
  expect(elsewhere.status).toBe(404);
});

test("a public app's analytics name no viewer", async () => {
  const owner = await signUpWithToken();
  const app = await createTestApp(owner.token, 'open');
  const answer = await call(analyticsRoute.GET, {
    path: `/apps/${app.name}/analytics?days=1`,
    params: { name: app.name },
    token: owner.token,
  });
  expect(appAnalyticsResponse.parse(await answer.json())).toMatchObject({
    totalViews: 0,
    uniqueViewers: 0,
    lastViewers: null,
    averageSessionSeconds: null,
  });
});

test("an app's metrics: samples in the window oldest first, its limits and its out-of-memory kills", async () => {
  const owner = await signUpWithToken();
  const app = await createTestApp(owner.token, 'busy');
  await context.db.update(schema.apps).set({ memoryMb: 512, cpus: 0.5 }).where(eq(schema.apps.id, app.appId));
  const nowMs = Date.now();
  const sample = (minutesAgo: number, memoryMb: number) => ({
    appId: app.appId,
    workspaceId: owner.workspaceId,
    deploymentId: null,
    at: new Date(nowMs - minutesAgo * 60_000),
    cpuCores: 0.25,
    memoryBytes: memoryMb * 1024 * 1024,
    memoryLimitBytes: 512 * 1024 * 1024,
  });
  // Two hours ago is outside a one-hour window.
  await recordMetricSamples(context.db, [sample(120, 100), sample(10, 200), sample(30, 150)]);
  await recordOomKillEvent(context.db, {
    appId: app.appId,
    workspaceId: owner.workspaceId,
    deploymentId: null,
    at: new Date(nowMs - 5 * 60_000),
  });
  const answer = await call(metricsRoute.GET, {
    path: `/apps/${app.name}/metrics?hours=1`,
    params: { name: app.name },
    token: owner.token,
  });
  expect(answer.status).toBe(200);
  const metrics = appMetricsResponse.parse(await answer.json());
  expect(metrics).toMatchObject({ hours: 1, memoryLimitBytes: 512 * 1024 * 1024, cpuLimitCores: 0.5 });
  expect(metrics.samples.map((each) => each.memoryBytes / (1024 * 1024))).toEqual([150, 200]);
  expect(metrics.oomKills).toHaveLength(1);

  const bad = await call(metricsRoute.GET, {
    path: `/apps/${app.name}/metrics?hours=soon`,
    params: { name: app.name },
    token: owner.token,
  });
  expect(bad.status).toBe(400);
  expect(errorResponse.parse(await bad.json()).error.message).toBe(
    'hours: must be a whole number from 1 to 168.',
  );
});
