// The deploy benchmark's results, judged against issue 3's targets and printed as tables (pure).
import { percentile, ratio } from '../lib/stats';
import { formatNumber, formatRatio, formatTable } from '../lib/table';
import { type AppKind, appSpecs, type Step, stepLabels, steps } from './apps';

export type Side = 'cove' | 'plain' | 'layered';

export interface Measurement {
  app: AppKind;
  step: Step;
  side: Side;
  /** Push (or app creation) to the new marker answering, one value per repeat. */
  milliseconds: number[];
  /** Cove only: the phase timings its build log printed, one line per repeat. */
  phases?: string[];
}

export interface Goal {
  goal: string;
  measured: string;
  isMet: boolean | null;
}

export const codeOnlyLimitMs = 5_000;
export const codeOnlyMaxRatio = 0.1;

export function medianOf(measurements: readonly Measurement[], app: AppKind, step: Step, side: Side): number {
  const found = measurements.find((m) => m.app === app && m.step === step && m.side === side);
  return found === undefined ? Number.NaN : percentile(found.milliseconds, 50);
}

const seconds = (milliseconds: number) => formatNumber(milliseconds / 1000, 1);

export function evaluateGoals(measurements: readonly Measurement[], apps: readonly AppKind[]): Goal[] {
  return apps.flatMap((app) => {
    const cove = medianOf(measurements, app, 'code', 'cove');
    const plain = medianOf(measurements, app, 'code', 'plain');
    const toReference = ratio(cove, plain);
    return [
      {
        goal: `${app}: code-only push live within ${codeOnlyLimitMs / 1000} s`,
        measured: `${seconds(cove)} s (median)`,
        isMet: Number.isFinite(cove) ? cove <= codeOnlyLimitMs : null,
      },
      {
        goal: `${app}: code-only push under ${codeOnlyMaxRatio} x the plain pip reference`,
        measured: `${formatRatio(toReference)} (${seconds(cove)} s vs ${seconds(plain)} s)`,
        isMet: Number.isFinite(toReference) ? toReference <= codeOnlyMaxRatio : null,
      },
    ];
  });
}

function spread(measurements: readonly Measurement[], app: AppKind, step: Step, side: Side): string {
  const found = measurements.find((m) => m.app === app && m.step === step && m.side === side);
  if (found === undefined || found.milliseconds.length < 2) return '';
  const sorted = [...found.milliseconds].sort((a, b) => a - b);
  return ` (${seconds(sorted[0] ?? Number.NaN)}-${seconds(sorted.at(-1) ?? Number.NaN)})`;
}

export function formatReport(measurements: readonly Measurement[], apps: readonly AppKind[]): string {
  const rows = apps.flatMap((app) =>
    steps.map((step) => {
      const cove = medianOf(measurements, app, step, 'cove');
      const plain = medianOf(measurements, app, step, 'plain');
      const layered = medianOf(measurements, app, step, 'layered');
      return [
        step === 'first' ? appSpecs[app].description : '',
        stepLabels[step],
        `${seconds(cove)}${spread(measurements, app, step, 'cove')}`,
        `${seconds(plain)}${spread(measurements, app, step, 'plain')}`,
        formatRatio(ratio(cove, plain)),
        `${seconds(layered)}${spread(measurements, app, step, 'layered')}`,
        formatRatio(ratio(cove, layered)),
      ];
    }),
  );
  const table = formatTable(
    [
      { header: 'app' },
      { header: 'push to live' },
      { header: 'cove s', align: 'right' },
      { header: 'pip plain s', align: 'right' },
      { header: 'x plain', align: 'right' },
      { header: 'pip layered s', align: 'right' },
      { header: 'x layered', align: 'right' },
    ],
    rows,
  );
  const goals = evaluateGoals(measurements, apps);
  const verdicts = formatTable(
    [{ header: 'target (issue 3)' }, { header: 'measured' }, { header: 'verdict' }],
    goals.map((goal) => [
      goal.goal,
      goal.measured,
      goal.isMet === null ? 'not measured' : goal.isMet ? 'pass' : 'MISS',
    ]),
  );
  const phaseLines = measurements
    .filter((m) => m.side === 'cove' && (m.phases?.length ?? 0) > 0)
    .flatMap((m) => (m.phases ?? []).map((line) => `  ${m.app}, ${stepLabels[m.step]}: ${line}`));
  return [
    "Seconds from the push (or the app's creation) until the new version's file answers; medians, (min-max) over repeats",
    table,
    '',
    ...(phaseLines.length > 0 ? ["Where Cove's time went (its build log)", ...phaseLines, ''] : []),
    verdicts,
  ].join('\n');
}
