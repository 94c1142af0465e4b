import { afterAll, beforeAll, expect, test } from 'vitest';
import { schema } from '../../src/db/client';
import { createTestContext, type TestContext } from '../../src/testing/context';

let first: TestContext;
let second: TestContext;

beforeAll(async () => {
  [first, second] = await Promise.all([createTestContext(), createTestContext()]);
});
afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
});

test('each context has a migrated database of its own', async () => {
  await first.db.insert(schema.workspaces).values({ name: 'only in the first' });
  expect(await first.db.select().from(schema.workspaces)).toHaveLength(1);
  expect(await second.db.select().from(schema.workspaces)).toHaveLength(0);
  expect(first.instance).not.toBe(second.instance);
});
