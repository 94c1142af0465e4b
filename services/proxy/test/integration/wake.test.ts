// The proxy's side of a wake, with a stand-in upstream and the builder played by the test: what a
// browser and a plain client get for a sleeping app, the one wake job they share, and a failed wake.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { jobs, queuePrefix } from '@cove/shared/jobs/catalogue';
import { createLogger } from '@cove/shared/logs/logger';
import { type RouteEntry, writeRoute } from '@cove/shared/routing/route-table';
import { recordWakeFailure } from '@cove/shared/sleep/wake-state';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../src/proxy';
import { browserAccept, send } from './client';
import { startUpstream, type TestUpstream } from './upstream';

let context: TestContext;
let proxy: RunningProxy;
let upstream: TestUpstream;
let operations: Queue;
const logger = createLogger('proxy-test', process.env.COVE_TEST_LOG_LEVEL ?? 'silent');

beforeAll(async () => {
  context = await createTestContext();
  const config = parseConfig(proxyConfigSchema, {
    ...context.env,
    COVE_PROXY_PORT: '0',
    COVE_WAKE_WAIT_SECONDS: '2',
  });
  upstream = await startUpstream('woken');
  proxy = await startProxy(config, logger);
  operations = new Queue(jobs.appOperation.queue, {
    connection: context.redis,
    prefix: queuePrefix(context.instance),
  });
});

afterAll(async () => {
  await proxy?.stop();
  await operations?.close();
  await upstream?.close();
  await context?.close();
});

async function sleepingApp(appName: string): Promise<RouteEntry> {
  const entry: RouteEntry = { appId: randomUUID(), appName, status: 'sleeping' };
  await writeRoute(context.redis, context.instance, entry);
  await waitFor(
    async () =>
      (await send(proxy.port, `${appName}.localhost`, '/', { accept: browserAccept })).status === 503,
    { timeoutMs: 5_000, intervalMs: 25, description: 'the proxy to see the sleeping route' },
  );
  return entry;
}

async function wakeJobsOf(appId: string) {
  const queued = await operations.getJobs(['waiting', 'active', 'delayed']);
  return queued.filter((job) => job.data.appId === appId).map((job) => job.id);
}

it('gives a browser the waking page and asks for one wake however many requests come', async () => {
  const entry = await sleepingApp('dozy');
  const pages = await Promise.all(
    Array.from({ length: 10 }, () => send(proxy.port, 'dozy.localhost', '/', { accept: browserAccept })),
  );
  for (const page of pages) {
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toBe('2');
    expect(page.body).toContain('dozy is waking up');
  }
  // The wake is asked for without holding up the page: wait for it to reach the queue.
  const wakeJobs = await waitFor(
    async () => {
      const found = await wakeJobsOf(entry.appId);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 25, description: 'the wake job' },
  );
  expect(wakeJobs).toEqual([`wake-${entry.appId}`]);
  const status = await send(proxy.port, 'dozy.localhost', '/', { headers: { 'x-cove-wake-status': '1' } });
  expect(JSON.parse(status.body)).toEqual({ state: 'waking', message: 'dozy is waking up.' });
});

it('holds a plain client until the app is awake, then serves it', async () => {
  const entry = await sleepingApp('sleepy');
  const answer = send(proxy.port, 'sleepy.localhost', '/after-wake');
  await waitFor(async () => (await wakeJobsOf(entry.appId)).length === 1, {
    timeoutMs: 5_000,
    description: 'the wake job',
  });
  // The builder's part: the app answers again and its route says where.
  await writeRoute(context.redis, context.instance, {
    ...entry,
    status: 'running',
    upstream: { host: '127.0.0.1', port: upstream.port },
  });
  const response = await answer;
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toMatchObject({ upstream: 'woken', url: '/after-wake' });
});

/** Plays the builder: once the proxy asked for the wake, the app answers and its route says where. */
async function wakeWhenAsked(entry: RouteEntry): Promise<void> {
  await waitFor(async () => (await wakeJobsOf(entry.appId)).length === 1, {
    timeoutMs: 5_000,
    intervalMs: 10,
    description: 'the wake job',
  });
  await writeRoute(context.redis, context.instance, {
    ...entry,
    status: 'running',
    upstream: { host: '127.0.0.1', port: upstream.port },
  });
}

it('gives a browser the app itself when the wake is over within a moment, as a frozen app is', async () => {
  const entry = await sleepingApp('blink');
  const page = send(proxy.port, 'blink.localhost', '/frozen', { accept: browserAccept });
  await wakeWhenAsked(entry);
  const response = await page;
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toMatchObject({ upstream: 'woken', url: '/frozen' });
});

it("answers the waking page's poll the moment the app is up, not at its next poll", async () => {
  const entry = await sleepingApp('follow');
  const poll = send(proxy.port, 'follow.localhost', '/', { headers: { 'x-cove-wake-status': '1' } });
  await wakeWhenAsked(entry);
  expect(JSON.parse((await poll).body)).toEqual({ state: 'ready', message: 'follow is awake.' });
});

it('answers a plain client 503 with Retry-After when the wake takes longer than the limit', async () => {
  await sleepingApp('slow');
  const response = await send(proxy.port, 'slow.localhost', '/', { accept: 'application/json' });
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toBeDefined();
  expect(JSON.parse(response.body).error.code).toBe('app_waking');
});

it('tells the waking page why a wake failed', async () => {
  const entry = await sleepingApp('broken');
  const reason = 'Cove could not wake broken: it stopped while starting (exit code 1).';
  await recordWakeFailure(context.redis, context.instance, entry.appId, reason);
  await writeRoute(context.redis, context.instance, { ...entry, status: 'crashed' });
  const status = await waitFor(
    async () => {
      const answer = await send(proxy.port, 'broken.localhost', '/', {
        headers: { 'x-cove-wake-status': '1' },
      });
      const body = JSON.parse(answer.body);
      return body.state === 'failed' ? body : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 25, description: 'the failed wake status' },
  );
  expect(status).toEqual({ state: 'failed', message: reason });
});

it('asks at once for an app put back to sleep right after a wake, not after the re-ask interval', async () => {
  const entry = await sleepingApp('nappy');
  await operations.remove(`wake-${entry.appId}`);
  await new Promise((resolve) => setTimeout(resolve, 300)); // past the interval of that first ask
  // A visit asks for a wake and is served once the app is up.
  const first = send(proxy.port, 'nappy.localhost', '/first', { accept: 'application/json' });
  await wakeWhenAsked(entry);
  expect((await first).status).toBe(200);
  // The builder is done with that wake (a finished job leaves the queue), and the app goes straight
  // back to sleep, well within the interval in which this proxy would not ask again.
  await operations.remove(`wake-${entry.appId}`);
  await writeRoute(context.redis, context.instance, entry);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the route's change reaching the proxy
  const again = send(proxy.port, 'nappy.localhost', '/again', { accept: 'application/json' });
  // A held request does not ask twice: only an ask made now wakes the app in time.
  await wakeWhenAsked(entry);
  const response = await again;
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toMatchObject({ upstream: 'woken', url: '/again' });
});
