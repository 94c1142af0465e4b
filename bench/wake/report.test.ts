import { describe, expect, test } from 'vitest';
import { evaluateGoals, type Measurement, summarizeRows } from './report';

function measured(
  overrides: Pick<Measurement, 'depth' | 'metric' | 'side'> & { values: number[] },
): Measurement[] {
  const { values, ...rest } = overrides;
  return values.map((milliseconds, index) => ({ app: 'small', run: index + 1, milliseconds, ...rest }));
}

describe('summarizeRows', () => {
  test('groups by app, depth and metric, with the median and the range of each side', () => {
    const rows = summarizeRows([
      ...measured({ depth: 'frozen', metric: 'first-render', side: 'cove', values: [300, 100, 200] }),
      ...measured({ depth: 'frozen', metric: 'first-render', side: 'reference', values: [90, 110] }),
    ]);
    expect(rows).toEqual([
      {
        app: 'small',
        depth: 'frozen',
        metric: 'first-render',
        cove: { p50: 200, min: 100, max: 300, count: 3 },
        reference: { p50: 100, min: 90, max: 110, count: 2 },
        // Runs 1 and 2 measured both sides: 300 - 90 and 100 - 110; run 3 had no pair.
        added: { p50: 100, min: -10, max: 210, count: 2 },
      },
    ]);
  });

  test('what Cove adds is the median of the per-repeat differences, not the difference of medians', () => {
    // The host slows down over the runs and both sides with it: Cove is always 10 ms behind.
    const [row] = summarizeRows([
      ...measured({ depth: 'frozen', metric: 'first-render', side: 'cove', values: [110, 510, 1010] }),
      ...measured({ depth: 'frozen', metric: 'first-render', side: 'reference', values: [100, 500, 1000] }),
    ]);
    expect(row?.added).toEqual({ p50: 10, min: 10, max: 10, count: 3 });
  });
});

describe('evaluateGoals', () => {
  test.each([
    { case: 'frozen render 100 ms behind the unpause is met', cove: [400], reference: [300], isMet: true },
    {
      case: 'frozen render 101 ms behind the unpause is missed',
      cove: [401],
      reference: [300],
      isMet: false,
    },
    { case: 'frozen render with no reference is not judged', cove: [400], reference: [], isMet: null },
    {
      // Both medians 700 ms, but in two repeats of three Cove trails its pair by 150 ms.
      case: 'frozen render missed on the paired differences though the medians are equal',
      cove: [700, 450, 850],
      reference: [1200, 300, 700],
      isMet: false,
    },
    {
      // Medians 900 vs 700 ms, but in two repeats of three Cove trails its pair by 50 ms.
      case: 'frozen render met on the paired differences though the medians are apart',
      cove: [350, 900, 1250],
      reference: [300, 850, 700],
      isMet: true,
    },
  ])('$case', ({ cove, reference, isMet }) => {
    const rows = summarizeRows([
      ...measured({ depth: 'frozen', metric: 'first-render', side: 'cove', values: cove }),
      ...measured({ depth: 'frozen', metric: 'first-render', side: 'reference', values: reference }),
    ]);
    expect(evaluateGoals(rows).map((goal) => goal.isMet)).toEqual([isMet]);
  });

  test('the browser render is shown but not judged', () => {
    const rows = summarizeRows([
      ...measured({ depth: 'frozen', metric: 'browser-render', side: 'cove', values: [3000] }),
      ...measured({ depth: 'frozen', metric: 'browser-render', side: 'reference', values: [1000] }),
    ]);
    expect(evaluateGoals(rows)).toEqual([]);
  });

  test.each([
    { case: 'stopped first byte at 999 ms is met', cove: 999, isMet: true },
    { case: 'stopped first byte at 1 s is missed', cove: 1000, isMet: false },
  ])('$case', ({ cove, isMet }) => {
    const rows = summarizeRows([
      ...measured({ depth: 'stopped', metric: 'first-byte', side: 'cove', values: [cove] }),
      ...measured({ depth: 'stopped', metric: 'first-byte', side: 'reference', values: [700] }),
    ]);
    expect(evaluateGoals(rows)).toEqual([
      expect.objectContaining({ goal: 'small, from stopped: first byte under 1 s', isMet }),
    ]);
  });

  test('rows the targets do not speak of are not judged', () => {
    const rows = summarizeRows([
      ...measured({ depth: 'stopped', metric: 'first-render', side: 'cove', values: [3000] }),
      ...measured({ depth: 'frozen', metric: 'first-byte', side: 'cove', values: [80] }),
    ]);
    expect(evaluateGoals(rows)).toEqual([]);
  });
});
