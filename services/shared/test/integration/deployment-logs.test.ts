// Log lines for a deployment that no longer exists (its app was deleted while the container still
// wrote) are dropped quietly; any other failure to store them still surfaces.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendLogLines, logChannel } from '../../src/logs/deployment-logs';
import { createTestContext, type TestContext } from '../../src/testing/context';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => {
  await context.close();
});

test('lines for a deleted deployment are dropped without an error and published nowhere', async () => {
  const deploymentId = crypto.randomUUID();
  const subscriber = context.redis.duplicate();
  const published: string[] = [];
  await subscriber.subscribe(logChannel(context.instance, deploymentId));
  subscriber.on('message', (_channel, message) => published.push(message));
  try {
    await expect(
      appendLogLines(context.db, context.redis, context.instance, deploymentId, 'runtime', ['late line']),
    ).resolves.toBeUndefined();
    // A round trip on the subscriber's connection: anything published before it has arrived.
    await subscriber.ping();
    expect(published).toEqual([]);
  } finally {
    subscriber.disconnect();
  }
});

test('other failures still reach the caller', async () => {
  await expect(
    appendLogLines(context.db, context.redis, context.instance, 'not-a-uuid', 'runtime', ['a line']),
  ).rejects.toThrow();
});
