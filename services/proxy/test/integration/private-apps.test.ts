import { randomBytes, randomUUID } from 'node:crypto';
import { endAppSessionsOf } from '@cove/shared/access/app-sessions';
import { privateAppKeys, writeAppVisibility } from '@cove/shared/access/private-apps';
import { signAccessToken } from '@cove/shared/access/tokens';
import { parseConfig } from '@cove/shared/config/load';
import { type ProxyConfig, proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { writeRoute } from '@cove/shared/routing/route-table';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { accessSubscriberName } from '../../src/access/access-state';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { browserAccept, closeEvent, nextMessage, refusedUpgradeStatus, send, waitForOpen } from './client';
import { startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let config: ProxyConfig;
let proxy: RunningProxy;
let upstream: TestUpstream;
const logger = createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');
const secret = { appName: 'secret', appId: randomUUID() };
const other = { appName: 'other', appId: randomUUID() };
const open = { appName: 'open', appId: randomUUID() };

beforeAll(async () => {
  context = await createTestContext();
  config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_HOST: '127.0.0.1',
    COVE_PROXY_PORT: '0',
  });
  upstream = await startUpstream('app');
  for (const app of [secret, other, open]) {
    await writeRoute(context.redis, context.instance, {
      ...app,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
  }
  // Written before the proxy starts: it must load the private set, not only hear changes.
  await writeAppVisibility(context.redis, context.instance, secret.appId, 'private');
  await writeAppVisibility(context.redis, context.instance, other.appId, 'private');
  proxy = await startProxy(config, logger);
});

afterAll(async () => {
  await proxy?.stop();
  await upstream?.close();
  await context?.close();
});

function mint(app: { appName: string; appId: string }, options: { now?: Date; masterKey?: string } = {}) {
  const dashboardSessionId = randomBytes(32).toString('hex');
  const { token } = signAccessToken(
    options.masterKey ?? config.COVE_MASTER_KEY,
    {
      ...app,
      userId: randomUUID(),
      email: 'ada@example.com',
      dashboardSessionId,
      dashboardSessionExpiresAtMs: Date.now() + 3_600_000,
    },
    options.now,
  );
  return { token, dashboardSessionId };
}

function exchange(host: string, token: string, returnPath = '/') {
  const query = new URLSearchParams({ token, return: returnPath });
  return send(proxy.port, host, `/__cove/auth?${query}`, { accept: browserAccept });
}

/** Signs in to the app through the exchange; the cookie to send with requests. */
async function signIn(app: { appName: string; appId: string }) {
  const minted = mint(app);
  const response = await exchange(`${app.appName}.localhost`, minted.token);
  expect(response.status).toBe(302);
  const setCookie = String(response.headers['set-cookie'] ?? '');
  return { ...minted, cookie: setCookie.split(';')[0] ?? '' };
}

describe('a private app without a session', () => {
  it('sends a browser to the dashboard to sign in, and back to the same page', async () => {
    const response = await send(proxy.port, 'secret.localhost:4080', '/page?q=1', { accept: browserAccept });
    expect(response.status).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(new URL('/access', config.COVE_DASHBOARD_URL).href);
    expect(location.searchParams.get('app')).toBe('secret');
    expect(location.searchParams.get('return')).toBe('/page?q=1');
  });

  it('answers other clients 401 in plain words, and an open tab of Streamlit how to sign in again', async () => {
    const response = await send(proxy.port, 'secret.localhost', '/');
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body).error.message).toMatch(/secret is private: open it in a browser/);
    // Streamlit's reconnect dialog shows a JSON body as is: one sentence, not an error object.
    for (const path of ['/_stcore/health', '/_stcore/host-config']) {
      const ping = await send(proxy.port, 'secret.localhost', path);
      expect(ping.status).toBe(401);
      expect(JSON.parse(ping.body)).toBe(
        'You are no longer signed in to secret (you signed out of Cove, or your access ended). Reload this page to sign in again.',
      );
    }
  });

  it('refuses the WebSocket upgrade', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'secret.localhost' },
    });
    expect(await refusedUpgradeStatus(socket)).toBe(401);
  });

  it('leaves public apps untouched', async () => {
    const response = await send(proxy.port, 'open.localhost', '/', { accept: browserAccept });
    expect(response.status).toBe(200);
  });
});

describe('the sign-in exchange', () => {
  it('sets a host-only cookie, returns to the page, and the app answers (without seeing the cookie)', async () => {
    const { token } = mint(secret);
    const response = await exchange('secret.localhost:4080', token, '/page?q=1');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/page?q=1');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^cove_app_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    expect(setCookie).not.toMatch(/Domain=|Secure/i);
    const cookie = setCookie.split(';')[0] ?? '';
    const page = await send(proxy.port, 'secret.localhost:4080', '/page?q=1', {
      accept: browserAccept,
      headers: { cookie: `theme=dark; ${cookie}` },
    });
    expect(page.status).toBe(200);
    const seen = JSON.parse(page.body);
    expect(seen.url).toBe('/page?q=1');
    expect(seen.headers.cookie).toBe('theme=dark');
  });

  it("opens the app's WebSocket with the cookie", async () => {
    const { cookie } = await signIn(secret);
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'secret.localhost', cookie },
    });
    await waitForOpen(socket);
    const reply = nextMessage(socket);
    socket.send('hello');
    expect((await reply).data.toString()).toBe('hello');
    socket.close();
  });

  it("does not open another app with the first app's cookie", async () => {
    const { cookie } = await signIn(secret);
    const response = await send(proxy.port, 'other.localhost', '/', { headers: { cookie } });
    expect(response.status).toBe(401);
  });

  it('refuses forged, expired, reused and other-app tokens, setting no cookie', async () => {
    const forged = mint(secret, { masterKey: randomBytes(32).toString('base64') }).token;
    const expired = mint(secret, { now: new Date(Date.now() - 61_000) }).token;
    const forOther = mint(other).token;
    const reused = mint(secret).token;
    expect((await exchange('secret.localhost', reused)).status).toBe(302);
    for (const token of [forged, expired, forOther, reused, 'not-a-token']) {
      const response = await exchange('secret.localhost', token);
      expect(response.status).toBe(403);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body).toMatch(/This sign-in link is not valid any more/);
    }
  });

  it.each([['//evil.example/'], ['https://evil.example/'], ['/\\evil.example'], ['javascript:alert(1)']])(
    'does not redirect to another site (return=%j)',
    async (returnPath) => {
      const response = await exchange('secret.localhost', mint(secret).token, returnPath);
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/');
    },
  );
});

describe("the viewer's identity", () => {
  const forged = { 'x-cove-user-email': 'ceo@example.com' };

  it("reaches a private app's requests and WebSocket as X-Cove-User-Email, the client's own replaced", async () => {
    const { cookie } = await signIn(secret);
    const page = await send(proxy.port, 'secret.localhost', '/', { headers: { cookie, ...forged } });
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body).headers['x-cove-user-email']).toBe('ada@example.com');
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'secret.localhost', cookie, ...forged },
    });
    await waitForOpen(socket);
    expect(upstream.upgradeHeaders.at(-1)?.['x-cove-user-email']).toBe('ada@example.com');
    socket.close();
  });

  it('never reaches a public app: a client cannot claim one', async () => {
    const page = await send(proxy.port, 'open.localhost', '/', { headers: forged });
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body).headers).not.toHaveProperty('x-cove-user-email');
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'open.localhost', ...forged },
    });
    await waitForOpen(socket);
    expect(upstream.upgradeHeaders.at(-1)).not.toHaveProperty('x-cove-user-email');
    socket.close();
  });
});

describe('signing out of the dashboard', () => {
  it('ends the app sessions it made, closes their WebSockets and refuses its unspent tokens', async () => {
    const session = await signIn(secret);
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'secret.localhost', cookie: session.cookie },
    });
    await waitForOpen(socket);
    const closed = closeEvent(socket);
    const unspent = signAccessToken(config.COVE_MASTER_KEY, {
      ...secret,
      userId: randomUUID(),
      email: 'ada@example.com',
      dashboardSessionId: session.dashboardSessionId,
      dashboardSessionExpiresAtMs: Date.now() + 3_600_000,
    }).token;

    expect(await endAppSessionsOf(context.redis, context.instance, session.dashboardSessionId)).toBe(1);
    await closed;
    const after = await send(proxy.port, 'secret.localhost', '/', { headers: { cookie: session.cookie } });
    expect(after.status).toBe(401);
    expect((await exchange('secret.localhost', unspent)).status).toBe(403);
  });
});

describe('a visibility change', () => {
  it('applies at once, both ways', async () => {
    await writeAppVisibility(context.redis, context.instance, open.appId, 'private');
    await waitFor(async () => (await send(proxy.port, 'open.localhost', '/')).status === 401, {
      timeoutMs: 5_000,
      intervalMs: 25,
      description: 'the app to be gated',
    });
    await writeAppVisibility(context.redis, context.instance, open.appId, 'public');
    await waitFor(async () => (await send(proxy.port, 'open.localhost', '/')).status === 200, {
      timeoutMs: 5_000,
      intervalMs: 25,
      description: 'the app to be open again',
    });
  });

  it("closes a public app's WebSockets opened without a session when it becomes private", async () => {
    const turning = { appName: 'turning', appId: randomUUID() };
    await writeRoute(context.redis, context.instance, {
      ...turning,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
    await waitFor(async () => (await send(proxy.port, 'turning.localhost', '/')).status === 200, {
      timeoutMs: 5_000,
      intervalMs: 25,
      description: 'the route to arrive',
    });
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'turning.localhost' },
    });
    await waitForOpen(socket);
    const closed = closeEvent(socket);
    await writeAppVisibility(context.redis, context.instance, turning.appId, 'private');
    await closed;
    const again = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, {
      headers: { host: 'turning.localhost' },
    });
    expect(await refusedUpgradeStatus(again)).toBe(401);
  });

  it('is picked up after the subscriber reconnects to Redis, even when its message was missed', async () => {
    const quiet = { appName: 'quiet', appId: randomUUID() };
    await writeRoute(context.redis, context.instance, {
      ...quiet,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstream.port },
    });
    await waitFor(async () => (await send(proxy.port, 'quiet.localhost', '/')).status === 200, {
      timeoutMs: 5_000,
      intervalMs: 25,
      description: 'the route to arrive',
    });
    // Written without a change message: only a full reload can make the proxy see it.
    await context.redis.sadd(privateAppKeys(context.instance).set, quiet.appId);
    expect((await send(proxy.port, 'quiet.localhost', '/')).status).toBe(200);
    const clients = String(await context.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const subscriberLine = clients
      .split('\n')
      .find((line) => line.includes(`name=${accessSubscriberName(context.instance)} `));
    const clientId = subscriberLine?.match(/\bid=(\d+)/)?.[1];
    expect(clientId).toBeDefined();
    await context.redis.call('CLIENT', 'KILL', 'ID', String(clientId));
    await waitFor(async () => (await send(proxy.port, 'quiet.localhost', '/')).status === 401, {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'the app to be gated after the reload',
    });
  });
});
