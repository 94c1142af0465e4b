import { describe, expect, it } from 'vitest';
import { evaluateGoals, formatReport, type Measurement, medianOf } from './report';

const measured: Measurement[] = [
  { app: 'small', step: 'first', side: 'cove', milliseconds: [9_000] },
  { app: 'small', step: 'first', side: 'plain', milliseconds: [40_000] },
  { app: 'small', step: 'code', side: 'cove', milliseconds: [3_000, 4_000, 3_500], phases: ['clone 0.1 s'] },
  { app: 'small', step: 'code', side: 'plain', milliseconds: [40_000, 42_000, 38_000] },
  { app: 'small', step: 'code', side: 'layered', milliseconds: [3_000, 3_000, 3_000] },
];

describe('the deploy benchmark report', () => {
  it('takes the median of the repeats', () => {
    expect(medianOf(measured, 'small', 'code', 'cove')).toBe(3_500);
    expect(Number.isNaN(medianOf(measured, 'data', 'code', 'cove'))).toBe(true);
  });

  it('passes a code-only push under 5 s and a tenth of the plain reference', () => {
    const goals = evaluateGoals(measured, ['small']);
    expect(goals.map((goal) => goal.isMet)).toEqual([true, true]);
    expect(goals[1]?.measured).toBe('0.09x (3.5 s vs 40.0 s)');
  });

  it('misses when the push takes longer, and says when nothing was measured', () => {
    const slow = measured.map((m) =>
      m.step === 'code' && m.side === 'cove' ? { ...m, milliseconds: [6_000] } : m,
    );
    expect(evaluateGoals(slow, ['small']).map((goal) => goal.isMet)).toEqual([false, false]);
    expect(evaluateGoals(measured, ['data']).map((goal) => goal.isMet)).toEqual([null, null]);
  });

  it('prints every step with both sides, the ratios and the phases', () => {
    const report = formatReport(measured, ['small']);
    expect(report).toContain('code-only redeploy');
    expect(report).toMatch(
      /3\.5 \(3\.0-4\.0\)\s+40\.0 \(38\.0-42\.0\)\s+0\.09x\s+3\.0 \(3\.0-3\.0\)\s+1\.17x/,
    );
    expect(report).toContain('small, code-only redeploy: clone 0.1 s');
    expect(report).toContain('pass');
  });
});
