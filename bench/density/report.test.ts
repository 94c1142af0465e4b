import { expect, test } from 'vitest';
import { addedRouteP50Ms, type DensityResult, evaluateGoals, formatReport, memoryRatio } from './report';

const result: DensityResult = {
  appsRegistered: 300,
  createSeconds: [2, 3, 4],
  creationPhaseSeconds: 600,
  awakeAtOnce: 100,
  coveAppMb: [70, 72, 71],
  plainContainerMb: [70, 69, 71],
  platform: { processMb: 300, redisMb: 10 },
  asleep: {
    frozen: { count: 50, totalMb: 3500 },
    stopped: { count: 50, withMemory: 0, totalMb: 0 },
    stoppedEarlier: 200,
  },
  proxy: { routes: 10_000, oneRouteP50Ms: [0.2, 0.22], manyRoutesP50Ms: [0.23] },
};

test('ratios come from medians, the route cost from the runs before and after', () => {
  expect(memoryRatio(result)).toBeCloseTo(71 / 70);
  expect(addedRouteP50Ms(result)).toBeCloseTo(0.02);
});

test('every target is met by a run that reaches it, and missed or unmeasured otherwise', () => {
  expect(evaluateGoals(result).map((goal) => goal.isMet)).toEqual([true, true, true, true, true]);
  const small = {
    ...result,
    appsRegistered: 40,
    awakeAtOnce: 20,
    coveAppMb: [80],
    asleep: { ...result.asleep, stopped: { count: 0, withMemory: 0, totalMb: 0 } },
    proxy: { ...result.proxy, manyRoutesP50Ms: [0.4] },
  };
  expect(evaluateGoals(small).map((goal) => goal.isMet)).toEqual([false, false, false, null, false]);
  const report = formatReport(small, evaluateGoals(small));
  expect(report).toContain('MISSED');
  expect(report).toContain('not measured');
  expect(report).toContain('seconds per app created');
});
