import { expect, test } from 'vitest';
import { freeSubnets, subnetPoolProblem } from './subnet-pool';

const pool = { range: '10.213.0.0/16', subnetBits: 28 };

test('a /16 in /28s holds 4096 app networks, each inside the range', () => {
  const free = freeSubnets(pool, 'cove-local-app-1', []);
  expect(free).toHaveLength(4096);
  expect(new Set(free).size).toBe(4096);
  for (const subnet of free) expect(subnet).toMatch(/^10\.213\.\d+\.\d+\/28$/);
});

test('subnets overlapping what the engine or the host uses are skipped', () => {
  const first = freeSubnets(pool, 'cove-local-app-1', [])[0] ?? '';
  const afterTaken = freeSubnets(pool, 'cove-local-app-1', [first, '10.213.200.0/24', 'fd00::/64']);
  expect(afterTaken).not.toContain(first);
  expect(afterTaken).toHaveLength(4096 - 1 - 16);
  expect(afterTaken.filter((subnet) => subnet.startsWith('10.213.200.'))).toEqual([]);
});

test('a host network over the whole range leaves nothing, and different names start apart', () => {
  expect(freeSubnets(pool, 'a', ['10.0.0.0/8'])).toEqual([]);
  expect(freeSubnets(pool, 'cove-local-app-1', [])[0]).not.toBe(freeSubnets(pool, 'cove-local-app-2', [])[0]);
  expect(freeSubnets(pool, 'same', [])[0]).toBe(freeSubnets(pool, 'same', [])[0]);
});

test('a pool that cannot work is refused in words', () => {
  expect(subnetPoolProblem(pool)).toBeNull();
  expect(subnetPoolProblem({ range: '10.213.0.0/33', subnetBits: 28 })).toMatch(/not an IPv4 CIDR/);
  expect(subnetPoolProblem({ range: '10.213.1.0/16', subnetBits: 28 })).toMatch(
    /did you mean 10\.213\.0\.0\/16/,
  );
  expect(subnetPoolProblem({ range: '10.213.0.0/16', subnetBits: 16 })).toMatch(/longer than/);
  expect(subnetPoolProblem({ range: '10.213.0.0/16', subnetBits: 30 })).toMatch(/at most 29/);
});
