import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { endAppSessionsOf, exchangeAccessToken, readAppSession } from '../../src/access/app-sessions';
import { readPrivateAppIds, writeAppVisibility } from '../../src/access/private-apps';
import { syncPrivateApps } from '../../src/access/private-apps-sync';
import { signAccessToken } from '../../src/access/tokens';
import { schema } from '../../src/db/client';
import { createTestContext, type TestContext } from '../../src/testing/context';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => {
  await context.close();
});

const masterKey = randomBytes(32).toString('base64');

async function insertApp(visibility: 'public' | 'private') {
  const [workspace] = await context.db.insert(schema.workspaces).values({ name: 'w' }).returning();
  if (!workspace) throw new Error('no workspace');
  const [app] = await context.db
    .insert(schema.apps)
    .values({
      workspaceId: workspace.id,
      name: `app-${randomUUID().slice(0, 8)}`,
      repoUrl: 'http://127.0.0.1:9/repo.git',
      branch: 'main',
      mainFile: 'streamlit_app.py',
      webhookSecretCiphertext: 'unused',
      visibility,
    })
    .returning();
  if (!app) throw new Error('no app');
  return app;
}

function claims(app: { id: string; name: string }, dashboardSessionId = randomBytes(32).toString('hex')) {
  return {
    appId: app.id,
    appName: app.name,
    userId: randomUUID(),
    email: 'ada@example.com',
    dashboardSessionId,
    dashboardSessionExpiresAtMs: Date.now() + 3_600_000,
  };
}

test("the reconciler's sync makes the proxy's private set equal to Postgres", async () => {
  const privateApp = await insertApp('private');
  const publicApp = await insertApp('public');
  const deletedId = randomUUID();
  // Redis lost the private app and still holds a public and a deleted one.
  await writeAppVisibility(context.redis, context.instance, publicApp.id, 'private');
  await writeAppVisibility(context.redis, context.instance, deletedId, 'private');

  const outcome = await syncPrivateApps(context.db, context.redis, context.instance);
  expect(outcome.added).toEqual([privateApp.id]);
  expect(outcome.removed.sort()).toEqual([publicApp.id, deletedId].sort());
  expect(await readPrivateAppIds(context.redis, context.instance)).toEqual(new Set([privateApp.id]));

  await context.db.update(schema.apps).set({ visibility: 'public' }).where(eq(schema.apps.id, privateApp.id));
  await syncPrivateApps(context.db, context.redis, context.instance);
  expect(await readPrivateAppIds(context.redis, context.instance)).toEqual(new Set());
});

test('a token is exchanged for a session once; the session is bound to its app', async () => {
  const app = await insertApp('private');
  const { claims: signed } = signAccessToken(masterKey, claims(app));
  const first = await exchangeAccessToken(context.redis, context.instance, signed);
  if (first.kind !== 'ok') throw new Error(`exchange failed: ${first.kind}`);
  expect(await exchangeAccessToken(context.redis, context.instance, signed)).toEqual({ kind: 'reused' });
  const session = await readAppSession(context.redis, context.instance, first.cookieValue);
  expect(session).toMatchObject({ appId: app.id, appName: app.name, email: 'ada@example.com' });
  expect(await readAppSession(context.redis, context.instance, `${first.cookieValue}x`)).toBeNull();
  // What Redis holds is a digest, not the cookie.
  const keys = await context.redis.keys(`cove:${context.instance}:access:app-session:*`);
  expect(keys.some((key) => key.includes(first.cookieValue))).toBe(false);
});

test('a session never outlives its dashboard session', async () => {
  const app = await insertApp('private');
  const now = new Date();
  const ending = { ...claims(app), dashboardSessionExpiresAtMs: now.getTime() + 5_000 };
  const { claims: signed } = signAccessToken(masterKey, ending, now);
  const exchanged = await exchangeAccessToken(context.redis, context.instance, signed, now);
  if (exchanged.kind !== 'ok') throw new Error(`exchange failed: ${exchanged.kind}`);
  expect(exchanged.session.expiresAtMs).toBe(now.getTime() + 5_000);
  const later = new Date(now.getTime() + 5_000);
  expect(await readAppSession(context.redis, context.instance, exchanged.cookieValue, later)).toBeNull();
  const over = { ...claims(app), dashboardSessionExpiresAtMs: now.getTime() - 1 };
  expect(
    await exchangeAccessToken(
      context.redis,
      context.instance,
      signAccessToken(masterKey, over, now).claims,
      now,
    ),
  ).toEqual({ kind: 'session_over' });
});

test('signing out ends every app session of that dashboard session, and only those', async () => {
  const [first, second] = [await insertApp('private'), await insertApp('private')];
  const dashboardSessionId = randomBytes(32).toString('hex');
  const cookies: string[] = [];
  for (const app of [first, second]) {
    const exchanged = await exchangeAccessToken(
      context.redis,
      context.instance,
      signAccessToken(masterKey, claims(app, dashboardSessionId)).claims,
    );
    if (exchanged.kind !== 'ok') throw new Error(`exchange failed: ${exchanged.kind}`);
    cookies.push(exchanged.cookieValue);
  }
  const elsewhere = await exchangeAccessToken(
    context.redis,
    context.instance,
    signAccessToken(masterKey, claims(first)).claims,
  );
  if (elsewhere.kind !== 'ok') throw new Error(`exchange failed: ${elsewhere.kind}`);

  expect(await endAppSessionsOf(context.redis, context.instance, dashboardSessionId)).toBe(2);
  for (const cookie of cookies) {
    expect(await readAppSession(context.redis, context.instance, cookie)).toBeNull();
  }
  expect(await readAppSession(context.redis, context.instance, elsewhere.cookieValue)).not.toBeNull();
  const late = signAccessToken(masterKey, claims(first, dashboardSessionId)).claims;
  expect(await exchangeAccessToken(context.redis, context.instance, late)).toEqual({ kind: 'signed_out' });
});
