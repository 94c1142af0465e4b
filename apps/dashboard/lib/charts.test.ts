import type { AppMetricsResponse } from '@cove/shared/contracts/insights';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { expect, test } from 'vitest';
import { UsageChart, ViewsChart } from '../components/insight-charts';
import { bucketed, formatBytes, linePath, niceCeiling } from './charts';

test('axis bounds are round numbers at or above the highest value', () => {
  expect([0, 0.3, 1, 7, 13, 240, 999].map(niceCeiling)).toEqual([1, 0.5, 1, 10, 20, 500, 1000]);
});

test('a line breaks where the samples pause (the app slept), not at every beat', () => {
  const points = [0, 30, 60, 90, 3_600, 3_630].map((seconds, index) => ({
    atMs: seconds * 1000,
    value: index,
  }));
  const path = linePath(
    points,
    (atMs) => atMs / 1000,
    (value) => value,
  );
  expect(path.match(/M/g)).toHaveLength(2);
  expect(path.startsWith('M0.0,0.0L30.0,1.0L60.0,2.0L90.0,3.0M3600.0,4.0')).toBe(true);
});

test('many samples become fewer points: the peak of each slice for memory, the mean for CPU', () => {
  const points = Array.from({ length: 1000 }, (_, index) => ({ atMs: index, value: index === 500 ? 99 : 1 }));
  const peaks = bucketed(points, 10, 'max');
  expect(peaks).toHaveLength(10);
  expect(Math.max(...peaks.map((point) => point.value))).toBe(99);
  expect(bucketed(points, 10, 'mean').every((point) => point.value < 2)).toBe(true);
  expect(formatBytes(768 * 1024 * 1024)).toBe('768 MB');
  expect(formatBytes(1.5 * 1024 * 1024 * 1024)).toBe('1.5 GB');
});

test('the views chart is an SVG with a title, a description, axis labels and a table of the same days', () => {
  const html = renderToStaticMarkup(
    createElement(ViewsChart, {
      perDay: [
        { day: '2026-12-06', views: 4, uniqueViewers: 2, sessions: 1, averageSessionSeconds: 30 },
        { day: '2026-12-07', views: 10, uniqueViewers: 3, sessions: 0, averageSessionSeconds: null },
      ],
    }),
  );
  expect(html).toContain('<title id="views-chart-title">Views and unique viewers per day</title>');
  expect(html).toContain('14 views from 6 Dec to 7 Dec');
  expect(html).toContain('>Day (UTC)</text>');
  expect(html).toContain('>Views</text>');
  expect(html.match(/<rect /g)).toHaveLength(2);
  expect(html).toContain('<td>2026-12-07</td><td>10</td><td>3</td><td>0</td><td>–</td>');
});

test('the memory chart draws the limit and marks each out-of-memory kill', () => {
  const nowMs = Date.parse('2026-12-07T12:00:00Z');
  const metrics: AppMetricsResponse = {
    hours: 1,
    memoryLimitBytes: 256 * 1024 * 1024,
    cpuLimitCores: 1,
    samples: [
      { at: '2026-12-07T11:30:00Z', cpuCores: 0.2, memoryBytes: 100 * 1024 * 1024 },
      { at: '2026-12-07T11:30:30Z', cpuCores: 0.4, memoryBytes: 250 * 1024 * 1024 },
    ],
    oomKills: [{ at: '2026-12-07T11:31:00Z', deploymentId: null }],
  };
  const html = renderToStaticMarkup(createElement(UsageChart, { kind: 'memory', metrics, nowMs }));
  expect(html).toContain('Memory over the last hour');
  expect(html).toContain('Highest 250 MB of a 256 MB limit; 1 out-of-memory kill.');
  expect(html).toContain('limit 256 MB');
  expect(html.match(/data-testid="oom-mark"/g)).toHaveLength(1);
  expect(html).toContain('Out of memory at 7 Dec 11:31 UTC');
  expect(html).toContain('<td>out of memory</td>');
  const cpu = renderToStaticMarkup(createElement(UsageChart, { kind: 'cpu', metrics, nowMs }));
  expect(cpu).toContain('limit 1.00 CPU');
  expect(cpu).not.toContain('oom-mark');
  const empty = renderToStaticMarkup(
    createElement(UsageChart, { kind: 'memory', metrics: { ...metrics, samples: [], oomKills: [] }, nowMs }),
  );
  expect(empty).toContain('No samples in this window: the app was not running.');
});
