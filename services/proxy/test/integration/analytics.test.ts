// Views, viewers and sessions counted through the real proxy in front of a stand-in app: a page
// load is a view (its assets and WebSocket are not), a public app's browsers are told apart by a
// visitor cookie the app never sees nor can set, a private app's by the signed-in viewer, whose
// e-mail is kept as a last viewer; sessions end with their WebSocket. The roll-up carries it all
// into Postgres, where the API reads it.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeAppVisibility } from '@cove/shared/access/private-apps';
import { signAccessToken } from '@cove/shared/access/tokens';
import { parseConfig } from '@cove/shared/config/load';
import { type ProxyConfig, proxyConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import {
  readDayCounts,
  readDayViewers,
  readLastViewers,
  utcDay,
} from '@cove/shared/insights/analytics-counters';
import { readAppAnalytics, rollUpAnalytics } from '@cove/shared/insights/analytics-store';
import { createLogger } from '@cove/shared/logs/logger';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { visitorCookieName } from '../../src/activity/page-views';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { browserAccept, send, waitForOpen } from './client';
import { startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let config: ProxyConfig;
let proxy: RunningProxy;
let upstream: TestUpstream;
let workspaceId: string;
const apps = { open: { appName: 'open', appId: '' }, secret: { appName: 'secret', appId: '' } };
const today = () => utcDay(Date.now());

async function insertApp(name: string, visibility: 'public' | 'private'): Promise<string> {
  const [app] = await context.db
    .insert(schema.apps)
    .values({
      workspaceId,
      name,
      repoUrl: 'http://127.0.0.1:9/repo.git',
      branch: 'main',
      mainFile: 'streamlit_app.py',
      webhookSecretCiphertext: 'unused',
      visibility,
    })
    .returning();
  if (!app) throw new Error('no app');
  return app.id;
}

beforeAll(async () => {
  context = await createTestContext();
  config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
    COVE_ACTIVITY_FLUSH_MS: '100',
  });
  const [workspace] = await context.db.insert(schema.workspaces).values({ name: 'w' }).returning();
  if (!workspace) throw new Error('no workspace');
  workspaceId = workspace.id;
  apps.open.appId = await insertApp('open', 'public');
  apps.secret.appId = await insertApp('secret', 'private');
  upstream = await startUpstream('app');
  for (const app of Object.values(apps)) {
    await writeRoute(context.redis, context.instance, {
      ...app,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
  }
  await writeAppVisibility(context.redis, context.instance, apps.secret.appId, 'private');
  proxy = await startProxy(config, createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent'));
});

afterAll(async () => {
  await proxy?.stop();
  await upstream?.close();
  await context?.close();
});

function visitorCookieOf(setCookie: string | string[] | undefined): string | null {
  const values = setCookie === undefined ? [] : [setCookie].flat();
  return values.find((value) => value.startsWith(`${visitorCookieName}=`)) ?? null;
}

async function countsOf(appId: string) {
  const counts = await readDayCounts(context.redis, context.instance, today());
  return counts.find((entry) => entry.appId === appId) ?? { views: 0, sessions: 0, sessionMs: 0 };
}

test('a public app: page loads are views, each browser one viewer by a cookie the app never sees', async () => {
  const host = 'open.localhost';
  const first = await send(proxy.port, host, '/', { accept: browserAccept });
  const setCookie = visitorCookieOf(first.headers['set-cookie']);
  expect(setCookie).toMatch(
    /^cove_visitor=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/,
  );
  const cookie = `theme=dark; ${setCookie?.split(';')[0]}`;
  // The same browser again, on another page: a view, not a new viewer; the app sees only its cookie.
  const again = await send(proxy.port, host, '/other_page', {
    accept: browserAccept,
    headers: { cookie, 'sec-fetch-dest': 'document' },
  });
  expect(JSON.parse(again.body).headers.cookie).toBe('theme=dark');
  expect(visitorCookieOf(again.headers['set-cookie'])).toBeNull();
  // The page's assets, its health checks and fetches are not views, and get no cookie.
  for (const path of ['/static/js/index.js', '/_stcore/health', '/favicon.ico', '/component/x/index.html']) {
    const asset = await send(proxy.port, host, path, { accept: browserAccept, headers: { cookie } });
    expect(visitorCookieOf(asset.headers['set-cookie'])).toBeNull();
  }
  await send(proxy.port, host, '/', { accept: '*/*', headers: { 'sec-fetch-dest': 'script' } });
  await send(proxy.port, host, '/', { method: 'POST', accept: browserAccept, body: 'x' });
  // The app cannot write the visitor cookie.
  const fromApp = await send(proxy.port, host, '/set-cookies', { headers: { cookie } });
  const fromAppCookies = [fromApp.headers['set-cookie'] ?? []].flat();
  expect(fromAppCookies).toContain('own=1; Path=/');
  expect(fromAppCookies.filter((value) => value.includes('chosen-by-the-app'))).toEqual([]);
  // A second browser.
  await send(proxy.port, host, '/', { accept: browserAccept });

  const counts = await waitFor(
    async () => {
      const seen = await countsOf(apps.open.appId);
      return seen.views === 3 ? seen : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 50, description: 'three views to be flushed' },
  );
  expect(counts.views).toBe(3);
  const viewers = await readDayViewers(context.redis, context.instance, today(), apps.open.appId);
  expect(viewers.count).toBe(2);
  // A public app's visitors are anonymous: no last viewers.
  expect(await readLastViewers(context.redis, context.instance, apps.open.appId)).toEqual([]);
});

test('a private app: the signed-in viewer is the viewer and a last viewer; a session lasts as long as its WebSocket', async () => {
  const host = 'secret.localhost';
  const { token } = signAccessToken(config.COVE_MASTER_KEY, {
    ...apps.secret,
    userId: randomUUID(),
    email: 'ada@example.com',
    dashboardSessionId: randomBytes(32).toString('hex'),
    dashboardSessionExpiresAtMs: Date.now() + 3_600_000,
  });
  const signedIn = await send(
    proxy.port,
    host,
    `/__cove/auth?${new URLSearchParams({ token, return: '/' })}`,
    {
      accept: browserAccept,
    },
  );
  expect(signedIn.status).toBe(302);
  const cookie = String(signedIn.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  for (let index = 0; index < 2; index += 1) {
    const page = await send(proxy.port, host, '/', { accept: browserAccept, headers: { cookie } });
    expect(page.status).toBe(200);
    // Known by the sign-in, the viewer needs no visitor cookie.
    expect(visitorCookieOf(page.headers['set-cookie'])).toBeNull();
  }
  const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, { headers: { host, cookie } });
  await waitForOpen(socket);
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.close();
  await closed;

  const counts = await waitFor(
    async () => {
      const seen = await countsOf(apps.secret.appId);
      return seen.views === 2 && seen.sessions === 1 ? seen : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 50, description: 'the views and the session to be flushed' },
  );
  expect(counts.sessionMs).toBeGreaterThanOrEqual(0);
  expect((await readDayViewers(context.redis, context.instance, today(), apps.secret.appId)).count).toBe(1);
  const [last] = await readLastViewers(context.redis, context.instance, apps.secret.appId);
  expect(last?.email).toBe('ada@example.com');
  expect(Math.abs((last?.lastSeenMs ?? 0) - Date.now())).toBeLessThan(60_000);
});

test('the roll-up carries the counts into Postgres, twice without doubling, and the API reads them per workspace', async () => {
  const nowMs = Date.now();
  expect(await rollUpAnalytics(context.db, context.redis, context.instance, nowMs)).toBeGreaterThanOrEqual(2);
  await rollUpAnalytics(context.db, context.redis, context.instance, nowMs);
  const deps = { db: context.db, redis: context.redis, instance: context.instance };
  const open = await readAppAnalytics(
    deps,
    workspaceId,
    { id: apps.open.appId, visibility: 'public' },
    {
      days: 7,
      nowMs,
    },
  );
  expect(open).toMatchObject({ days: 7, totalViews: 3, uniqueViewers: 2, sessions: 0, lastViewers: null });
  expect(open.perDay).toHaveLength(7);
  expect(open.perDay.at(-1)).toMatchObject({ day: today(), views: 3, uniqueViewers: 2 });
  expect(open.perDay.slice(0, 6).every((day) => day.views === 0)).toBe(true);

  const secret = await readAppAnalytics(
    deps,
    workspaceId,
    { id: apps.secret.appId, visibility: 'private' },
    {
      days: 30,
      nowMs,
    },
  );
  expect(secret).toMatchObject({ totalViews: 2, uniqueViewers: 1, sessions: 1 });
  expect(secret.lastViewers?.map((viewer) => viewer.email)).toEqual(['ada@example.com']);

  // Redis loses its keys: the days already rolled up keep their counts.
  await context.redis.del(`cove:${context.instance}:analytics:${today()}`);
  await rollUpAnalytics(context.db, context.redis, context.instance, nowMs);
  const kept = await readAppAnalytics(
    deps,
    workspaceId,
    { id: apps.open.appId, visibility: 'public' },
    {
      days: 7,
      nowMs,
    },
  );
  expect(kept.totalViews).toBe(3);

  // Another workspace sees nothing of this one's app.
  const [stranger] = await context.db.insert(schema.workspaces).values({ name: 'x' }).returning();
  const elsewhere = await readAppAnalytics(
    deps,
    stranger?.id ?? randomUUID(),
    { id: apps.secret.appId, visibility: 'private' },
    { days: 7, nowMs },
  );
  expect(elsewhere).toMatchObject({ totalViews: 0, uniqueViewers: 0, lastViewers: [] });
});
