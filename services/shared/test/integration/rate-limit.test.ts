import { afterAll, beforeAll, expect, test } from 'vitest';
import { CoveError } from '../../src/errors';
import { enforceRateLimit, hitRateLimit, rateLimitKey } from '../../src/limits/rate-limit';
import { createTestContext, type TestContext } from '../../src/testing/context';

let context: TestContext;

beforeAll(async () => {
  context = await createTestContext();
});

afterAll(async () => {
  await context?.close();
});

test('allows the limit within a window, then refuses with the time left', async () => {
  const rule = { name: 'counting', limit: 3, windowSeconds: 120 };
  const results = [];
  for (let hit = 0; hit < 4; hit++)
    results.push(await hitRateLimit(context.redis, context.instance, rule, 'a'));
  expect(results.map((result) => result.isAllowed)).toEqual([true, true, true, false]);
  expect(results.map((result) => result.count)).toEqual([1, 2, 3, 4]);
  const last = results[3];
  expect(last?.retryAfterSeconds).toBeGreaterThan(0);
  expect(last?.retryAfterSeconds).toBeLessThanOrEqual(120);
  // Another subject has its own counter.
  expect((await hitRateLimit(context.redis, context.instance, rule, 'b')).isAllowed).toBe(true);
});

test('concurrent hits are all counted', async () => {
  const rule = { name: 'concurrent', limit: 10, windowSeconds: 60 };
  const results = await Promise.all(
    Array.from({ length: 25 }, () => hitRateLimit(context.redis, context.instance, rule, 'same')),
  );
  expect(results.filter((result) => result.isAllowed)).toHaveLength(10);
});

test('a new window starts when the old one expires', async () => {
  const rule = { name: 'expiring', limit: 1, windowSeconds: 60 };
  expect((await hitRateLimit(context.redis, context.instance, rule, 'x')).isAllowed).toBe(true);
  expect((await hitRateLimit(context.redis, context.instance, rule, 'x')).isAllowed).toBe(false);
  // Ending the window by hand stands in for waiting it out.
  await context.redis.del(rateLimitKey(context.instance, rule, 'x'));
  expect((await hitRateLimit(context.redis, context.instance, rule, 'x')).isAllowed).toBe(true);
  expect(await context.redis.pttl(rateLimitKey(context.instance, rule, 'x'))).toBeGreaterThan(0);
});

test('enforceRateLimit throws a 429 error with a plain message', async () => {
  const rule = { name: 'enforced', limit: 1, windowSeconds: 30 };
  await enforceRateLimit(context.redis, context.instance, rule, 'x', 'sign-in attempts');
  const refused = await enforceRateLimit(
    context.redis,
    context.instance,
    rule,
    'x',
    'sign-in attempts',
  ).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(CoveError);
  if (!(refused instanceof CoveError)) return;
  expect(refused.httpStatus).toBe(429);
  expect(refused.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ seconds\.$/);
  expect(refused.details?.retryAfterSeconds).toEqual(expect.any(Number));
});
