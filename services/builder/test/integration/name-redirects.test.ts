// The old names of renamed apps live in Postgres; Redis holds a copy the proxy reads. When Redis
// loses it (a flush, a restart without persistence), the reconciler writes it back from Postgres,
// and it drops entries whose grace period ended or whose app is gone.
import { updateApp } from '@cove/shared/apps/service';
import { schema } from '@cove/shared/db/client';
import { readAllNameRedirects, readNameRedirect, redirectsKey } from '@cove/shared/routing/name-redirects';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type BuilderWorld, builderConfig, insertApp, startBuilderWorld, stopBuilderWorld } from './fixture';

let world: BuilderWorld | undefined;
let context: TestContext;
let queues: BuilderWorld['queues'];

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, queues } = world);
});
afterAll(() => stopBuilderWorld(world));

const minuteMs = 60_000;

async function redirectNames(): Promise<string[]> {
  return [...(await readAllNameRedirects(context.redis, context.instance)).keys()].sort();
}

test('after Redis loses the redirects, the reconciler rebuilds the live ones from Postgres', async () => {
  const app = await insertApp(context, { name: 'first-name', repoUrl: 'http://127.0.0.1:9/none.git' });
  const deps = {
    db: context.db,
    redis: context.redis,
    queues,
    config: builderConfig(context),
  };
  await updateApp(deps, app.workspaceId, 'first-name', { name: 'second-name' });
  await updateApp(deps, app.workspaceId, 'second-name', { name: 'third-name' });
  // A redirect whose grace period already ended, as a rename long ago leaves it in Postgres.
  await context.db.insert(schema.appNameRedirects).values({
    oldName: 'ancient-name',
    appId: app.appId,
    workspaceId: app.workspaceId,
    expiresAt: new Date(Date.now() - minuteMs),
  });
  expect(await redirectNames()).toEqual(['first-name', 'second-name']);

  await context.redis.del(redirectsKey(context.instance));
  expect(await readNameRedirect(context.redis, context.instance, 'first-name')).toBeNull();

  await waitFor(async () => (await redirectNames()).length === 2, {
    timeoutMs: 15_000,
    description: 'the reconciler to write the redirects back',
  });
  expect(await redirectNames()).toEqual(['first-name', 'second-name']);
  for (const oldName of ['first-name', 'second-name']) {
    expect(await readNameRedirect(context.redis, context.instance, oldName)).toMatchObject({
      appId: app.appId,
      oldName,
      toName: 'third-name',
    });
  }
});

test('entries Postgres does not back (expired, a deleted app, unreadable) are dropped', async () => {
  const app = await insertApp(context, { name: 'keeper', repoUrl: 'http://127.0.0.1:9/none.git' });
  const expiresSoon = new Date(Date.now() + 2_000);
  await context.db.insert(schema.appNameRedirects).values({
    oldName: 'short-lived',
    appId: app.appId,
    workspaceId: app.workspaceId,
    expiresAt: expiresSoon,
  });
  await waitFor(async () => (await redirectNames()).includes('short-lived'), {
    timeoutMs: 15_000,
    description: 'the short-lived redirect to be written',
  });
  const key = redirectsKey(context.instance);
  await context.redis.hset(key, 'garbled', '{not json');
  await context.redis.hset(
    key,
    'of-a-deleted-app',
    JSON.stringify({
      appId: crypto.randomUUID(),
      oldName: 'of-a-deleted-app',
      toName: 'gone',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    }),
  );
  await waitFor(
    async () => {
      const names = await redirectNames();
      return !['short-lived', 'garbled', 'of-a-deleted-app'].some((name) => names.includes(name));
    },
    { timeoutMs: 20_000, description: 'the stale redirects to be dropped' },
  );
  // The renames of the first test are still backed by Postgres: they stay.
  expect(await redirectNames()).toEqual(['first-name', 'second-name']);
  // Rows whose grace period ended are gone from Postgres as well (the first test's 'ancient-name').
  const rows = await context.db.select().from(schema.appNameRedirects);
  expect(rows.map((row) => row.oldName).sort()).toEqual(['first-name', 'second-name']);
});
