// The wake benchmark's numbers: measurements grouped by app, depth and what was measured, Cove beside
// the plain engine call. Each repeat measures both sides back to back, so what Cove adds is read from
// the per-repeat differences (their median and range), which the host's drifting load cancels out of.
// Plain functions, no I/O.
import type { SleepDepth } from '@cove/shared/sleep/wake-state';
import { percentile, ratio } from '../lib/stats';
import { formatNumber, formatRatio, formatSigned, formatTable } from '../lib/table';
import type { AppKind } from './apps';

/**
 * first-byte: the app's page by an HTTP client. first-render: the page, then Streamlit's WebSocket
 * delivering the script's text (the definition). browser-render: Chromium showing that text.
 */
export type Metric = 'first-byte' | 'first-render' | 'browser-render';
export type Side = 'cove' | 'reference';

export interface Measurement {
  app: AppKind;
  depth: SleepDepth;
  metric: Metric;
  side: Side;
  run: number;
  milliseconds: number;
}

export interface Spread {
  p50: number;
  min: number;
  max: number;
  count: number;
}

export interface Row {
  app: AppKind;
  depth: SleepDepth;
  metric: Metric;
  cove: Spread;
  reference: Spread;
  /** Cove minus plain within each repeat that measured both: what Cove adds. */
  added: Spread;
}

export interface GoalResult {
  goal: string;
  measured: string;
  /** null when a number the goal needs was not measured. */
  isMet: boolean | null;
}

const range = (side: Spread) => `${formatNumber(side.min)}-${formatNumber(side.max)}`;

function spread(values: readonly number[]): Spread {
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
    const differences = group
      .filter((m) => m.side === 'cove')
      .flatMap((cove) => {
        const reference = group.find((m) => m.side === 'reference' && m.run === cove.run);
        return reference ? [cove.milliseconds - reference.milliseconds] : [];
      });
    rows.set(key, {
      app: first.app,
      depth: first.depth,
      metric: first.metric,
      cove: spread(of('cove')),
      reference: spread(of('reference')),
      added: spread(differences),
    });
  }
  return [...rows.values()];
}

const signedRange = (side: Spread) => `${formatSigned(side.min, 0)} to ${formatSigned(side.max, 0)}`;

/**
 * Frozen: first render (the WebSocket's) within 100 ms of the plain unpause's, on the median of the
 * paired differences. Stopped: first byte under 1 s, on Cove's median.
 */
export function evaluateGoals(rows: readonly Row[]): GoalResult[] {
  const goals: GoalResult[] = [];
  for (const row of rows) {
    if (row.depth === 'frozen' && row.metric === 'first-render') {
      const { added } = row;
      goals.push({
        goal: `${row.app}, from frozen: first render within 100 ms of a plain unpause`,
        measured: `${formatSigned(added.p50, 0)} ms, median of ${added.count} paired differences (${signedRange(added)}; p50 ${formatNumber(row.cove.p50)} vs ${formatNumber(row.reference.p50)} ms)`,
        isMet: Number.isFinite(added.p50) ? added.p50 <= 100 : null,
      });
    }
    if (row.depth === 'stopped' && row.metric === 'first-byte') {
      goals.push({
        goal: `${row.app}, from stopped: first byte under 1 s`,
        measured: `p50 ${formatNumber(row.cove.p50)} ms, range ${range(row.cove)} (a plain start: ${formatNumber(row.reference.p50)} ms; paired difference ${formatSigned(row.added.p50, 0)} ms)`,
        isMet: Number.isFinite(row.cove.p50) ? row.cove.p50 < 1000 : null,
      });
    }
  }
  return goals;
}

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
      { header: 'added p50 ms', align: 'right' },
      { header: 'added range', align: 'right' },
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
      formatSigned(row.added.p50, 0),
      Number.isFinite(row.added.p50) ? signedRange(row.added) : '-',
      formatRatio(ratio(row.cove.p50, row.reference.p50)),
    ]),
  );
  const verdict = (isMet: boolean | null) => (isMet === null ? 'not measured' : isMet ? 'met' : 'MISSED');
  const goalLines = goals.map((goal) => `  ${verdict(goal.isMet).padEnd(12)} ${goal.goal}: ${goal.measured}`);
  const note = 'added: Cove minus plain within each repeat (both measured back to back), median and range';
  return `${table}\n${note}\n\nTargets (issue 4):\n${goalLines.join('\n')}`;
}
