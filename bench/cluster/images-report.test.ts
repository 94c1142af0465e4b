import { describe, expect, it } from 'vitest';
import { type Carry, formatReport } from './images-report';

const carries: Carry[] = [
  { image: 'runtime', way: 'save-load', milliseconds: [12_000] },
  {
    image: 'runtime',
    way: 'registry',
    pushMilliseconds: [18_000],
    pullMilliseconds: [9_000],
    milliseconds: [27_000],
  },
  { image: 'code-change', way: 'save-load', milliseconds: [10_000, 12_000, 11_000] },
  {
    image: 'code-change',
    way: 'registry',
    pushMilliseconds: [500, 700, 600],
    pullMilliseconds: [400, 600, 500],
    milliseconds: [900, 1_300, 1_100],
  },
];

describe('the cluster benchmark report', () => {
  it('puts both ways side by side, medians of the repeats, and the ratio', () => {
    const report = formatReport(carries);
    expect(report).toMatch(/to a node that has none of it\s+12\.0\s+18\.0\s+9\.0\s+27\.0\s+2\.25x\s+1/);
    expect(report).toMatch(/code-only change .*\s+11\.0\s+0\.6\s+0\.5\s+1\.1\s+0\.10x\s+3/);
  });

  it('prints a dash for a way that was not measured', () => {
    const report = formatReport(
      carries.filter((carry) => !(carry.image === 'runtime' && carry.way === 'registry')),
    );
    expect(report).toMatch(/none of it\s+12\.0\s+-\s+-\s+-\s+-\s+1/);
  });
});
