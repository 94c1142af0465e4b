import { describe, expect, it } from 'vitest';
import { parseStat, parseVmRssKb } from './proc';

describe('/proc parsers', () => {
  it('reads VmRSS in kB from /proc/<pid>/status', () => {
    expect(parseVmRssKb('Name:\tnode\nVmHWM:\t  90000 kB\nVmRSS:\t   81234 kB\nThreads:\t7\n')).toBe(81234);
    expect(() => parseVmRssKb('Name:\tnode\n')).toThrow(/VmRSS/);
  });

  it('reads the parent and CPU time from /proc/<pid>/stat, even with spaces in the name', () => {
    const stat = '4242 (nginx: worker) S 4241 4241 4241 0 -1 4194624 1 0 0 0 250 50 0 0 20 0 1 0 1 1 1';
    expect(parseStat(stat)).toEqual({ parentPid: 4241, cpuSeconds: 3 });
  });
});
