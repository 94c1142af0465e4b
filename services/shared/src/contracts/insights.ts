// What the app page's Insights tab and the API show of an app: its visitors per day (counted by the
// proxy) and its instance's CPU and memory over time (sampled by the builder).
import { z } from 'zod';

const dayCount = z.coerce
  .number({ error: 'must be a whole number from 1 to 90.' })
  .int('must be a whole number from 1 to 90.')
  .min(1, 'must be a whole number from 1 to 90.')
  .max(90, 'must be a whole number from 1 to 90.');

export const appAnalyticsQuery = z.object({
  days: dayCount.default(30).describe('How many days back, today included (1 to 90; 30 by default).'),
});
export type AppAnalyticsQuery = z.infer<typeof appAnalyticsQuery>;

export const analyticsDayView = z.object({
  day: z.iso.date().describe('A UTC day.'),
  views: z.number().int().describe("Page loads of the app's HTML that day."),
  uniqueViewers: z
    .number()
    .int()
    .describe('Different viewers that day: signed-in people on a private app, browsers on a public one.'),
  sessions: z.number().int().describe('Sessions (an open tab, its WebSocket) that ended that day.'),
  averageSessionSeconds: z.number().nullable().describe('Their average length; null with no session.'),
});
export type AnalyticsDayView = z.infer<typeof analyticsDayView>;

export const lastViewerView = z.object({ email: z.string(), at: z.iso.datetime() });
export type LastViewerView = z.infer<typeof lastViewerView>;

export const appAnalyticsResponse = z.object({
  days: z.number().int().describe('The days asked for, today included.'),
  totalViews: z.number().int(),
  uniqueViewers: z
    .number()
    .int()
    .describe(
      'Different viewers over all those days (one back on another day counts once; approximate past ~1000).',
    ),
  sessions: z.number().int(),
  averageSessionSeconds: z.number().nullable(),
  perDay: z
    .array(analyticsDayView)
    .describe('Every day of the window, oldest first, days without a visit at 0.'),
  lastViewers: z
    .array(lastViewerView)
    .nullable()
    .describe("A private app's last signed-in viewers, newest first (up to 50); null for a public app."),
});
export type AppAnalyticsResponse = z.infer<typeof appAnalyticsResponse>;

export const appMetricsQuery = z.object({
  hours: z.coerce
    .number({ error: 'must be a whole number from 1 to 168.' })
    .int('must be a whole number from 1 to 168.')
    .min(1, 'must be a whole number from 1 to 168.')
    .max(168, 'must be a whole number from 1 to 168.')
    .default(24)
    .describe('How many hours back (1 to 168; 24 by default).'),
});
export type AppMetricsQuery = z.infer<typeof appMetricsQuery>;

export const metricSampleView = z.object({
  at: z.iso.datetime(),
  cpuCores: z.number().describe('CPU in use, in cores (0.5: half of one core).'),
  memoryBytes: z.number().int().describe('Memory in use (without the page cache the kernel can drop).'),
});
export type MetricSampleView = z.infer<typeof metricSampleView>;

export const appMetricsResponse = z.object({
  hours: z.number().int(),
  memoryLimitBytes: z.number().int().nullable().describe("The app's memory limit, as its instance has it."),
  cpuLimitCores: z.number().nullable().describe("The app's CPU limit, in cores."),
  samples: z.array(metricSampleView).describe('Oldest first.'),
  oomKills: z
    .array(z.object({ at: z.iso.datetime(), deploymentId: z.uuid().nullable() }))
    .describe('Out-of-memory kills in the window, oldest first.'),
});
export type AppMetricsResponse = z.infer<typeof appMetricsResponse>;
