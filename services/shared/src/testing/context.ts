// One isolated world per integration test file: its own database (cloned from the migrated
// template), its own instance name (Redis keys, BullMQ prefix, Docker labels) and master key.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { connectDatabase, type Database } from '../db/client';
import { queuePrefix } from '../jobs/catalogue';
import {
  cloneTemplateDatabase,
  databaseUrl,
  dropDatabase,
  ensureTemplateDatabase,
  testRedisUrl,
} from './template-database';

export interface TestContext {
  instance: string;
  databaseUrl: string;
  redisUrl: string;
  db: Database;
  redis: Redis;
  /** A complete COVE_* environment for any deployable under test. */
  env: Record<string, string>;
  close(): Promise<void>;
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export async function createTestContext(overrides: Record<string, string> = {}): Promise<TestContext> {
  const instance = `t-${randomBytes(4).toString('hex')}`;
  const name = `cove_test_${instance.replace('-', '_')}`;
  await cloneTemplateDatabase(await ensureTemplateDatabase(), name);
  const url = databaseUrl(name);
  const handle = connectDatabase(url, { maxConnections: 5 });
  const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
  const env: Record<string, string> = {
    COVE_DATABASE_URL: url,
    COVE_REDIS_URL: testRedisUrl,
    COVE_INSTANCE: instance,
    COVE_MASTER_KEY: randomBytes(32).toString('base64'),
    COVE_LOG_LEVEL: process.env.COVE_TEST_LOG_LEVEL ?? 'warn',
    COVE_APPS_DOMAIN: 'localhost',
    COVE_APPS_SCHEME: 'http',
    COVE_DASHBOARD_URL: 'http://localhost:4100',
    COVE_GIT_ALLOWED_SCHEMES: 'https,http,git',
    COVE_GIT_ALLOW_PRIVATE_ADDRESSES: 'true',
    // Most tests create apps whose repositories do not exist (they test other things); the tests of
    // the check itself turn it on (apps/dashboard/test/integration/repository-check.test.ts).
    COVE_GIT_CHECK_REPOSITORIES: 'false',
    COVE_RUNTIME_IMAGE: process.env.COVE_RUNTIME_IMAGE ?? 'cove/runtime:dev',
    COVE_RECONCILE_INTERVAL_SECONDS: '1',
    COVE_BUILD_STALE_SECONDS: '6',
    COVE_HEALTH_TIMEOUT_SECONDS: '45',
    COVE_WORK_DIR: `/var/tmp/cove-builds-${instance}`,
    ...overrides,
  };
  return {
    instance,
    databaseUrl: url,
    redisUrl: testRedisUrl,
    db: handle.db,
    redis,
    env,
    async close() {
      await deleteKeys(redis, `cove:${instance}:*`);
      await deleteKeys(redis, `${queuePrefix(instance)}:*`);
      redis.disconnect();
      await handle.close();
      await dropDatabase(name);
    },
  };
}
