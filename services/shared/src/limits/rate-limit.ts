// Fixed-window counters in Redis: at most `limit` hits per subject in each window of
// `windowSeconds`, the window starting at the subject's first hit. One atomic script per hit, so
// concurrent requests (and several dashboard processes) count together.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CoveError } from '../errors';

export interface RateLimit {
  /** Names the counter, e.g. "sign-in-ip"; part of the key. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  isAllowed: boolean;
  count: number;
  /** Whole seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
}

const hitScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

// Only within the window that counted the hit: a key that expired meanwhile is left alone.
const refundScript = `
if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
`;

/** Subjects (emails, addresses) are hashed: the keys never hold what a person typed. */
export function rateLimitKey(instance: string, rule: RateLimit, subject: string): string {
  const digest = createHash('sha256').update(subject.trim().toLowerCase()).digest('hex').slice(0, 32);
  return `cove:${instance}:rate:${rule.name}:${digest}`;
}

function isNumberPair(value: unknown): value is [number, number] {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number'
  );
}

/** Counts one hit for the subject and says whether it is within the limit. */
export async function hitRateLimit(
  redis: Redis,
  instance: string,
  rule: RateLimit,
  subject: string,
): Promise<RateLimitResult> {
  const result = await redis.eval(
    hitScript,
    1,
    rateLimitKey(instance, rule, subject),
    rule.windowSeconds * 1000,
  );
  if (!isNumberPair(result)) throw new Error(`Unexpected answer from Redis for rate limit ${rule.name}`);
  const [count, ttlMs] = result;
  return {
    isAllowed: count <= rule.limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}

/**
 * Takes back one hit counted by hitRateLimit, for counters of failures only: an attempt is counted
 * before its outcome is known (so concurrent attempts count at once) and handed back if it succeeded.
 */
export async function refundRateLimitHit(
  redis: Redis,
  instance: string,
  rule: RateLimit,
  subject: string,
): Promise<void> {
  await redis.eval(refundScript, 1, rateLimitKey(instance, rule, subject));
}

export function describeWait(seconds: number): string {
  if (seconds === 1) return '1 second';
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** Counts a hit; over the limit, throws a 429 CoveError carrying retryAfterSeconds. */
export async function enforceRateLimit(
  redis: Redis,
  instance: string,
  rule: RateLimit,
  subject: string,
  what: string,
): Promise<void> {
  const result = await hitRateLimit(redis, instance, rule, subject);
  if (result.isAllowed) return;
  throw new CoveError(
    'rate_limited',
    `Too many ${what}. Try again in ${describeWait(result.retryAfterSeconds)}.`,
    { retryAfterSeconds: result.retryAfterSeconds },
  );
}
