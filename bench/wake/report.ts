// The wake benchmark's numbers: measurements grouped by app, depth and what was measured, Cove beside
// the plain engine call, and the targets judged on the medians. Plain functions, no I/O.
import type { SleepDepth } from '@cove/shared/sleep/wake-state';
import { percentile, ratio } from '../lib/stats';
import { formatNumber, formatRatio, formatSigned, formatTable } from '../lib/table';
import type { AppKind } from './apps';

export type Metric = 'first-byte' | 'first-render';
export type Side = 'cove' | 'reference';

export interface Measurement {
  app: AppKind;
  depth: SleepDepth;
  metric: Metric;
  side: Side;
  run: number;
  milliseconds: number;
}

export interface Row {
  app: AppKind;
  depth: SleepDepth;
  metric: Metric;
  cove: { p50: number; min: number; max: number; count: number };
  reference: { p50: number; min: number; max: number; count: number };
}

export interface GoalResult {
  goal: string;
  measured: string;
  /** null when a number the goal needs was not measured. */
  isMet: boolean | null;
}

function spread(values: readonly number[]) {
  return {
    p50: percentile(values, 50),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    count: values.length,
  };
}

export function summarizeRows(measurements: readonly Measurement[]): Row[] {
  const rows = new Map<string, Row>();
  const keyOf = (m: Pick<Measurement, 'app' | 'depth' | 'metric'>) => `${m.app}/${m.depth}/${m.metric}`;
  const keys = [...new Set(measurements.map(keyOf))];
  for (const key of keys) {
    const group = measurements.filter((m) => keyOf(m) === key);
    const first = group[0];
    if (!first) continue;
    const of = (side: Side) => group.filter((m) => m.side === side).map((m) => m.milliseconds);
    rows.set(key, {
      app: first.app,
      depth: first.depth,
      metric: first.metric,
      cove: spread(of('cove')),
      reference: spread(of('reference')),
    });
  }
  return [...rows.values()];
}

/** Frozen: first render within 100 ms of the plain unpause's. Stopped: first byte under 1 s. */
export function evaluateGoals(rows: readonly Row[]): GoalResult[] {
  const goals: GoalResult[] = [];
  for (const row of rows) {
    if (row.depth === 'frozen' && row.metric === 'first-render') {
      const added = row.cove.p50 - row.reference.p50;
      goals.push({
        goal: `${row.app}, from frozen: first render within 100 ms of a plain unpause`,
        measured: `${formatSigned(added, 0)} ms (p50 ${formatNumber(row.cove.p50)} vs ${formatNumber(row.reference.p50)} ms)`,
        isMet: Number.isFinite(added) ? added <= 100 : null,
      });
    }
    if (row.depth === 'stopped' && row.metric === 'first-byte') {
      goals.push({
        goal: `${row.app}, from stopped: first byte under 1 s`,
        measured: `p50 ${formatNumber(row.cove.p50)} ms (a plain start: ${formatNumber(row.reference.p50)} ms)`,
        isMet: Number.isFinite(row.cove.p50) ? row.cove.p50 < 1000 : null,
      });
    }
  }
  return goals;
}

const range = (side: Row['cove']) => `${formatNumber(side.min)}-${formatNumber(side.max)}`;

export function formatReport(rows: readonly Row[], goals: readonly GoalResult[]): string {
  const table = formatTable(
    [
      { header: 'app' },
      { header: 'from' },
      { header: 'to' },
      { header: 'cove p50 ms', align: 'right' },
      { header: 'cove range', align: 'right' },
      { header: 'plain p50 ms', align: 'right' },
      { header: 'plain range', align: 'right' },
      { header: 'added ms', align: 'right' },
      { header: 'ratio', align: 'right' },
    ],
    rows.map((row) => [
      row.app,
      row.depth,
      row.metric,
      formatNumber(row.cove.p50),
      range(row.cove),
      formatNumber(row.reference.p50),
      range(row.reference),
      formatSigned(row.cove.p50 - row.reference.p50, 0),
      formatRatio(ratio(row.cove.p50, row.reference.p50)),
    ]),
  );
  const verdict = (isMet: boolean | null) => (isMet === null ? 'not measured' : isMet ? 'met' : 'MISSED');
  const goalLines = goals.map((goal) => `  ${verdict(goal.isMet).padEnd(12)} ${goal.goal}: ${goal.measured}`);
  return `${table}\n\nTargets (issue 4):\n${goalLines.join('\n')}`;
}
