'use client';
// The app page's Insights tab: who views the app (views, unique viewers, sessions per day, and a
// private app's last signed-in viewers) and what its instance uses (CPU and memory against its
// limits, out-of-memory kills marked), from /analytics and /metrics, refreshed while it is open.
import type { AppView } from '@cove/shared/contracts/api';
import {
  type AppAnalyticsResponse,
  type AppMetricsResponse,
  appAnalyticsResponse,
  appMetricsResponse,
} from '@cove/shared/contracts/insights';
import { useCallback, useEffect, useState } from 'react';
import { formatSeconds } from '../lib/charts';
import { apiRequest } from '../lib/client/api';
import { SelectField } from './field';
import { UsageChart, ViewsChart } from './insight-charts';

const pollIntervalMs = 30_000;
const dayOptions = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
] as const;
const hourOptions = [
  { value: '6', label: 'Last 6 hours' },
  { value: '24', label: 'Last 24 hours' },
  { value: '168', label: 'Last 7 days' },
] as const;

export function InsightsPanel({ app }: { app: AppView }) {
  const [days, setDays] = useState('30');
  const [hours, setHours] = useState('24');
  const [analytics, setAnalytics] = useState<AppAnalyticsResponse | null>(null);
  const [metrics, setMetrics] = useState<{ data: AppMetricsResponse; nowMs: number } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const [views, usage] = await Promise.all([
      apiRequest(`/apps/${app.name}/analytics?days=${days}`, appAnalyticsResponse),
      apiRequest(`/apps/${app.name}/metrics?hours=${hours}`, appMetricsResponse),
    ]);
    if (views.ok) setAnalytics(views.data);
    if (usage.ok) setMetrics({ data: usage.data, nowMs: Date.now() });
    setFailure(!views.ok ? views.message : !usage.ok ? usage.message : null);
  }, [app.name, days, hours]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, pollIntervalMs);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <>
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
      <section className="card" data-testid="analytics-card">
        <div className="section-header">
          <h2>Viewers</h2>
          <SelectField
            id="analytics-days"
            label="Period"
            value={days}
            onChange={(event) => setDays(event.target.value)}
            options={dayOptions}
          />
        </div>
        {analytics === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            <dl className="insight-totals" data-testid="analytics-totals">
              <div>
                <dt>Views</dt>
                <dd>{analytics.totalViews}</dd>
              </div>
              <div>
                <dt>Unique viewers</dt>
                <dd>{analytics.uniqueViewers}</dd>
              </div>
              <div>
                <dt>Sessions</dt>
                <dd>{analytics.sessions}</dd>
              </div>
              <div>
                <dt>Average session</dt>
                <dd>{formatSeconds(analytics.averageSessionSeconds)}</dd>
              </div>
            </dl>
            <ViewsChart perDay={analytics.perDay} />
            <p className="muted">
              A view is a page load of the app; a session is an open tab, counted when it closes. Counted by
              Cove's proxy and updated about every minute.
            </p>
            {analytics.lastViewers === null ? null : <LastViewers viewers={analytics.lastViewers} />}
          </>
        )}
      </section>
      <section className="card" data-testid="metrics-card">
        <div className="section-header">
          <h2>Resources</h2>
          <SelectField
            id="metrics-hours"
            label="Period"
            value={hours}
            onChange={(event) => setHours(event.target.value)}
            options={hourOptions}
          />
        </div>
        {metrics === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            {metrics.data.samples.length === 0 ? (
              <p className="muted">
                No samples in this period: the app has not been running. Cove samples a running app's CPU and
                memory every half minute.
              </p>
            ) : null}
            <UsageChart kind="memory" metrics={metrics.data} nowMs={metrics.nowMs} />
            <UsageChart kind="cpu" metrics={metrics.data} nowMs={metrics.nowMs} />
          </>
        )}
      </section>
    </>
  );
}

function LastViewers({ viewers }: { viewers: AppAnalyticsResponse['lastViewers'] & object }) {
  return (
    <>
      <h3>Last viewers</h3>
      {viewers.length === 0 ? (
        <p className="muted">Nobody has signed in to view the app yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="last-viewers">
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {viewers.map((viewer) => (
                <tr key={viewer.email}>
                  <td className="mono">{viewer.email}</td>
                  <td>{new Date(viewer.at).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
