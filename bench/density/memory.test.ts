import { expect, test } from 'vitest';
import { parseMemoryStat, usedBytes } from './memory';

test('usage less the inactive file cache, as docker stats shows it (cgroup v1 and v2 names)', () => {
  const v1 = parseMemoryStat('cache 4096\nrss 1000\ntotal_inactive_file 3000\n');
  expect(usedBytes(10_000, v1)).toBe(7000);
  const v2 = parseMemoryStat('anon 5000\ninactive_file 2500\nweird line\n');
  expect(usedBytes(10_000, v2)).toBe(7500);
  expect(usedBytes(1000, parseMemoryStat('inactive_file 4000'))).toBe(0);
  expect(usedBytes(1000, new Map())).toBe(1000);
});
