// The density benchmark's numbers and the targets: many apps of one workspace on one host,
// the memory an awake idle app holds beside a plain `docker run` of the same image, what sleeping
// apps still hold, and the proxy's latency with a large route table. Plain functions, no I/O.
import { percentile, ratio } from '../lib/stats';
import { formatNumber, formatRatio, formatSigned, formatTable } from '../lib/table';

export interface DensityResult {
  appsRegistered: number;
  /** Seconds from createApp to running, per app. */
  createSeconds: number[];
  /** Wall-clock seconds of the whole creation phase (apps deploy two at a time). */
  creationPhaseSeconds: number;
  /** Apps running at the same moment, after the creation phase. */
  awakeAtOnce: number;
  /** MB each awake idle Cove app holds (its container's cgroup). */
  coveAppMb: number[];
  /** MB each plain `docker run` of the same image holds, measured beside them. */
  plainContainerMb: number[];
  platform: { processMb: number; redisMb: number };
  /** After half the awake apps were frozen and half stopped. */
  asleep: {
    frozen: { count: number; totalMb: number };
    /** Stopped apps whose container still has a memory cgroup (none should). */
    stopped: { count: number; withMemory: number; totalMb: number };
    /** Every app the bench stopped during creation, to keep the awake count bounded. */
    stoppedEarlier: number;
  };
  proxy: { routes: number; oneRouteP50Ms: number[]; manyRoutesP50Ms: number[] };
}

export interface GoalResult {
  goal: string;
  measured: string;
  isMet: boolean | null;
}

export const targets = {
  appsRegistered: 300,
  awakeAtOnce: 100,
  memoryRatio: 1.05,
  routeTable: 10_000,
  addedRouteP50Ms: 0.05,
} as const;

const median = (values: readonly number[]) => percentile(values, 50);

export function memoryRatio(result: DensityResult): number {
  return ratio(median(result.coveAppMb), median(result.plainContainerMb));
}

/** What 10,000 routes add to the one-connection p50 over the one-route runs (before and after). */
export function addedRouteP50Ms(result: DensityResult): number {
  return median(result.proxy.manyRoutesP50Ms) - median(result.proxy.oneRouteP50Ms);
}

export function evaluateGoals(result: DensityResult): GoalResult[] {
  const measuredOr = (value: number, check: (value: number) => boolean) =>
    Number.isFinite(value) ? check(value) : null;
  const memory = memoryRatio(result);
  const added = addedRouteP50Ms(result);
  return [
    {
      goal: `>= ${targets.appsRegistered} apps registered in one workspace`,
      measured: `${result.appsRegistered}`,
      isMet: result.appsRegistered >= targets.appsRegistered,
    },
    {
      goal: `>= ${targets.awakeAtOnce} apps awake at once`,
      measured: `${result.awakeAtOnce}`,
      isMet: result.awakeAtOnce >= targets.awakeAtOnce,
    },
    {
      goal: `memory per awake idle app <= ${targets.memoryRatio}x a plain docker run`,
      measured: formatRatio(memory),
      isMet: measuredOr(memory, (value) => value <= targets.memoryRatio),
    },
    {
      goal: 'stopped apps hold no memory (no container cgroup left)',
      measured: `${result.asleep.stopped.withMemory} of ${result.asleep.stopped.count} hold ${formatNumber(result.asleep.stopped.totalMb, 1)} MB`,
      isMet: result.asleep.stopped.count > 0 ? result.asleep.stopped.withMemory === 0 : null,
    },
    {
      goal: `proxy with ${formatNumber(targets.routeTable)} routes: added p50 at one connection <= ${targets.addedRouteP50Ms} ms`,
      measured: `${formatSigned(added, 3)} ms (${formatNumber(result.proxy.routes)} routes)`,
      isMet: measuredOr(
        added,
        (value) => value <= targets.addedRouteP50Ms && result.proxy.routes >= targets.routeTable,
      ),
    },
  ];
}

export function formatReport(result: DensityResult, goals: readonly GoalResult[]): string {
  const mb = (value: number) => `${formatNumber(value, 1)} MB`;
  const rows: string[][] = [
    ['apps registered', `${result.appsRegistered}`, ''],
    [
      'seconds per app created',
      formatNumber(result.creationPhaseSeconds / Math.max(1, result.appsRegistered), 2),
      `create to running p50 ${formatNumber(median(result.createSeconds), 1)} s, p90 ${formatNumber(percentile(result.createSeconds, 90), 1)} s`,
    ],
    [
      'apps awake at once',
      `${result.awakeAtOnce}`,
      `${result.asleep.stoppedEarlier} stopped while the others were created`,
    ],
    [
      'memory per awake idle app',
      mb(median(result.coveAppMb)),
      `plain docker run ${mb(median(result.plainContainerMb))} (${result.plainContainerMb.length} containers): ${formatRatio(memoryRatio(result))}`,
    ],
    ['memory of all awake apps', mb(result.coveAppMb.reduce((sum, value) => sum + value, 0)), ''],
    [
      'platform processes',
      mb(result.platform.processMb + result.platform.redisMb),
      `builder and proxy ${mb(result.platform.processMb)}, Redis ${mb(result.platform.redisMb)}`,
    ],
    [
      'frozen apps',
      mb(result.asleep.frozen.totalMb),
      `${result.asleep.frozen.count} apps (a frozen app keeps its memory)`,
    ],
    [
      'stopped apps',
      mb(result.asleep.stopped.totalMb),
      `${result.asleep.stopped.count} apps, ${result.asleep.stopped.withMemory} with a cgroup left`,
    ],
    [
      'proxy p50, one connection',
      `${formatNumber(median(result.proxy.oneRouteP50Ms), 3)} ms`,
      `with ${formatNumber(result.proxy.routes)} routes ${formatNumber(median(result.proxy.manyRoutesP50Ms), 3)} ms (${formatSigned(addedRouteP50Ms(result), 3)})`,
    ],
  ];
  const table = formatTable(
    [{ header: 'measure' }, { header: 'value', align: 'right' }, { header: 'beside it' }],
    rows,
  );
  const verdict = (isMet: boolean | null) => (isMet === null ? 'not measured' : isMet ? 'met' : 'MISSED');
  const goalLines = goals.map((goal) => `  ${verdict(goal.isMet).padEnd(12)} ${goal.goal}: ${goal.measured}`);
  return `${table}\n\nTargets (issue 13):\n${goalLines.join('\n')}\n`;
}
