// Apps' CPU and memory over time in Postgres: the builder writes a sample per awake instance every
// COVE_METRICS_SAMPLE_SECONDS and each out-of-memory kill; the API reads them within one workspace.
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { appLimits } from '../config/app-limits';
import type { CommonConfig } from '../config/schemas';
import type { AppMetricsResponse } from '../contracts/insights';
import type { Database } from '../db/client';
import { appMetricSamples, appOomKills } from '../db/schema/insights';

export type MetricSampleRow = typeof appMetricSamples.$inferInsert;

export async function recordMetricSamples(db: Database, samples: readonly MetricSampleRow[]): Promise<void> {
  if (samples.length === 0) return;
  await db.insert(appMetricSamples).values([...samples]);
}

export async function recordOomKillEvent(
  db: Database,
  event: { appId: string; workspaceId: string; deploymentId: string | null; at?: Date },
): Promise<void> {
  await db.insert(appOomKills).values(event);
}

/** Drops samples and out-of-memory marks older than `before`; returns how many rows went. */
export async function pruneMetrics(db: Database, before: Date): Promise<number> {
  const samples = await db.delete(appMetricSamples).where(lt(appMetricSamples.at, before));
  const kills = await db.delete(appOomKills).where(lt(appOomKills.at, before));
  return (samples.rowCount ?? 0) + (kills.rowCount ?? 0);
}

export async function readAppMetrics(
  db: Database,
  config: Pick<CommonConfig, 'COVE_APP_MEMORY_MB' | 'COVE_APP_CPUS'>,
  workspaceId: string,
  app: { id: string; memoryMb: number | null; cpus: number | null },
  options: { hours: number; nowMs: number },
): Promise<AppMetricsResponse> {
  const since = new Date(options.nowMs - options.hours * 60 * 60 * 1000);
  const [samples, kills] = await Promise.all([
    db
      .select()
      .from(appMetricSamples)
      .where(
        and(
          eq(appMetricSamples.workspaceId, workspaceId),
          eq(appMetricSamples.appId, app.id),
          gte(appMetricSamples.at, since),
        ),
      )
      .orderBy(asc(appMetricSamples.at)),
    db
      .select()
      .from(appOomKills)
      .where(
        and(
          eq(appOomKills.workspaceId, workspaceId),
          eq(appOomKills.appId, app.id),
          gte(appOomKills.at, since),
        ),
      )
      .orderBy(asc(appOomKills.at)),
  ]);
  const limits = appLimits(config, app);
  // The limit the instance itself reported wins: the setting may have changed since it started.
  const reportedLimit = samples.at(-1)?.memoryLimitBytes ?? null;
  return {
    hours: options.hours,
    memoryLimitBytes: reportedLimit ?? limits.memoryMb * 1024 * 1024,
    cpuLimitCores: limits.cpus,
    samples: samples.map((sample) => ({
      at: sample.at.toISOString(),
      cpuCores: sample.cpuCores,
      memoryBytes: sample.memoryBytes,
    })),
    oomKills: kills.map((kill) => ({ at: kill.at.toISOString(), deploymentId: kill.deploymentId })),
  };
}
