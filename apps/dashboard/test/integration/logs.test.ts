import { randomUUID } from 'node:crypto';
import { signUp } from '@cove/shared/auth/accounts';
import { createApiToken } from '@cove/shared/auth/api-tokens';
import { createAppResponse } from '@cove/shared/contracts/api';
import { appendLogLines, endOfLogMessage, logChannel } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import * as logsRoute from '../../app/api/v1/apps/[name]/deployments/[id]/logs/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import { call, startDashboardContext, stopDashboardContext } from './harness';

let context: TestContext;
let token: string;

beforeAll(async () => {
  context = await startDashboardContext();
  const account = await signUp(context.db, {
    email: `${randomUUID()}@example.com`,
    password: 'long password 123',
  });
  ({ token } = await createApiToken(context.db, {
    workspaceId: account.workspace.id,
    userId: account.user.id,
    name: 'logs',
  }));
});
afterAll(async () => {
  await stopDashboardContext(context);
});

async function newDeployment(): Promise<{ name: string; deploymentId: string }> {
  const name = `logs-${randomUUID().slice(0, 8)}`;
  const response = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, repoUrl: 'http://127.0.0.1:9/r.git' },
  });
  const created = createAppResponse.parse(await response.json());
  return { name, deploymentId: created.latestDeployment?.id ?? '' };
}

const lineEvent = z.object({ id: z.number(), line: z.string() });

/** Reads Server-Sent Events from a response body, one at a time. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<{ event: string; data: string } | null> {
      for (;;) {
        const boundary = buffer.indexOf('\n\n');
        if (boundary >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const fields = new Map<string, string>();
          for (const row of block.split('\n')) {
            const colon = row.indexOf(':');
            if (colon > 0) fields.set(row.slice(0, colon), row.slice(colon + 1).trim());
          }
          const event = fields.get('event');
          if (event) return { event, data: fields.get('data') ?? '' };
          continue;
        }
        const chunk = await reader.read();
        if (chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

async function subscribers(deploymentId: string): Promise<number> {
  const [, count] = await context.redis.pubsub('NUMSUB', logChannel(context.instance, deploymentId));
  return Number(count);
}

test('the stored log is served as plain text', async () => {
  const { name, deploymentId } = await newDeployment();
  await appendLogLines(context.db, context.redis, context.instance, deploymentId, 'build', ['one', 'two']);
  await appendLogLines(context.db, context.redis, context.instance, deploymentId, 'runtime', ['served']);
  const response = await call(logsRoute.GET, {
    path: `/apps/${name}/deployments/${deploymentId}/logs?stream=build`,
    params: { name, id: deploymentId },
    token,
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await response.text()).toBe('one\ntwo\n');
});

test('following streams stored lines, then live ones without repeats, until the build ends', async () => {
  const { name, deploymentId } = await newDeployment();
  await appendLogLines(context.db, context.redis, context.instance, deploymentId, 'build', [
    'cloning',
    'building',
  ]);
  const response = await call(logsRoute.GET, {
    path: `/apps/${name}/deployments/${deploymentId}/logs?stream=build&follow=1`,
    params: { name, id: deploymentId },
    token,
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events = eventReader(response.body ?? new ReadableStream());
  const lines: string[] = [];
  const readLine = async () => {
    const event = await events.next();
    expect(event?.event).toBe('line');
    lines.push(lineEvent.parse(JSON.parse(event?.data ?? '')).line);
  };
  await readLine();
  await readLine();
  await waitFor(async () => (await subscribers(deploymentId)) === 1, {
    timeoutMs: 5000,
    description: 'the follower to subscribe',
  });
  await appendLogLines(context.db, context.redis, context.instance, deploymentId, 'runtime', [
    'not this stream',
  ]);
  await appendLogLines(context.db, context.redis, context.instance, deploymentId, 'build', ['installed']);
  await readLine();
  await context.redis.publish(logChannel(context.instance, deploymentId), endOfLogMessage);
  expect((await events.next())?.event).toBe('end');
  expect(await events.next()).toBeNull();
  expect(lines).toEqual(['cloning', 'building', 'installed']);
  await waitFor(async () => (await subscribers(deploymentId)) === 0, {
    timeoutMs: 5000,
    description: 'the subscriber to be released at the end',
  });
});

test('a client that leaves releases its Redis subscriber', async () => {
  const { name, deploymentId } = await newDeployment();
  const leaving = new AbortController();
  const response = await call(logsRoute.GET, {
    path: `/apps/${name}/deployments/${deploymentId}/logs?stream=runtime&follow=1`,
    params: { name, id: deploymentId },
    token,
    signal: leaving.signal,
  });
  const events = eventReader(response.body ?? new ReadableStream());
  await waitFor(async () => (await subscribers(deploymentId)) === 1, {
    timeoutMs: 5000,
    description: 'the follower to subscribe',
  });
  leaving.abort();
  await events.cancel();
  await waitFor(async () => (await subscribers(deploymentId)) === 0, {
    timeoutMs: 5000,
    description: 'the subscriber to be released',
  });
});
