import { describe, expect, it } from 'vitest';
import { PhaseClock } from './phase-clock';

describe('PhaseClock', () => {
  it('reports the wait in the queue, each lap and the total', () => {
    const readings = [10_000, 10_120, 11_420, 12_500];
    const clock = new PhaseClock(new Date(9_950), () => readings.shift() ?? 0);
    clock.lap('clone');
    clock.lap('image');
    clock.lap('start');
    expect(clock.summary()).toBe(
      'Timings: queue 0.05 s, clone 0.12 s, image 1.30 s, start 1.08 s (total 2.55 s)',
    );
  });

  it('leaves out the queue when the deployment has no queue time', () => {
    const readings = [0, 500];
    const clock = new PhaseClock(null, () => readings.shift() ?? 0);
    clock.lap('switch');
    expect(clock.summary()).toBe('Timings: switch 0.50 s (total 0.50 s)');
  });
});
