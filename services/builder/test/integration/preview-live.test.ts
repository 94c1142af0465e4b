// A pull request preview on the real engine: GitHub pull_request events through the webhook
// handler the dashboard serves (apps/push-webhook.ts) make <app>--pr-<n> from the request's head
// branch, which the builder builds and starts like any app; a push to the head updates it, and
// closing the request removes it, its containers included.
import { readWebhookSecret } from '@cove/shared/apps/create';
import { handlePushWebhook } from '@cove/shared/apps/service';
import { parseConfig } from '@cove/shared/config/load';
import { commonConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { readRoute } from '@cove/shared/routing/route-table';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { labelKeys } from '../../src/runtime/types';
import {
  type BuilderWorld,
  containersOf,
  health,
  insertApp,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let world: BuilderWorld;
let context: TestContext;
beforeAll(async () => {
  world = await startBuilderWorld();
  context = world.context;
});
afterAll(() => stopBuilderWorld(world));

const source = (title: string) => `import streamlit as st\n\nst.title(${JSON.stringify(title)})\n`;

test('a pull request is previewed live at <app>--pr-<n>, updated by a push to it and gone once closed', async () => {
  const deps = {
    db: context.db,
    redis: context.redis,
    queues: world.queues,
    config: parseConfig(commonConfigSchema, context.env),
  };
  await world.git.createRepo('pv', { 'app.py': source('main') });
  const app = await insertApp(context, { name: 'pv', repoUrl: world.git.repoUrl('pv') });
  await context.db.update(schema.apps).set({ previewsEnabled: true }).where(eq(schema.apps.id, app.appId));
  const [row] = await context.db.select().from(schema.apps).where(eq(schema.apps.id, app.appId));
  if (!row) throw new Error('no app');
  const secret = readWebhookSecret(deps, row);

  async function pullRequest(action: string, head: string) {
    const body = Buffer.from(
      JSON.stringify({
        action,
        number: 12,
        pull_request: {
          title: 'Try a new title',
          user: { login: 'octocat' },
          head: { ref: 'feature', sha: head, repo: { clone_url: world.git.repoUrl('pv') } },
          base: { ref: 'main', sha: '0'.repeat(40) },
        },
      }),
    );
    const headers = new Headers({
      'x-github-event': 'pull_request',
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': signGitHubPayload(secret, body),
    });
    return handlePushWebhook(deps, 'pv', headers, body);
  }

  const first = await world.git.commit('pv', { 'app.py': source('feature one') }, 'Feature', {
    branch: 'feature',
  });
  const opened = await pullRequest('opened', first);
  expect(opened.body.message).toBe(`queued: preview pv--pr-12 at ${first.slice(0, 7)}`);
  const built = await waitForFinished(context, opened.body.deploymentId ?? '');
  expect(built.errorMessage).toBeNull();
  expect(built.status).toBe('running');
  expect(built.commitSha).toBe(first);
  expect(await health(built.hostPort ?? 0)).toBe('ok');
  const route = await readRoute(context.redis, context.instance, 'pv--pr-12');
  expect(route?.upstream?.port).toBe(built.hostPort);
  const [preview] = await context.db
    .select()
    .from(schema.apps)
    .where(and(eq(schema.apps.previewOfAppId, app.appId), eq(schema.apps.previewNumber, 12)));
  expect(preview).toMatchObject({ name: 'pv--pr-12', branch: 'feature', status: 'running' });

  const second = await world.git.commit('pv', { 'app.py': source('feature two') }, 'More', {
    branch: 'feature',
  });
  const pushed = await pullRequest('synchronize', second);
  const rebuilt = await waitForFinished(context, pushed.body.deploymentId ?? '');
  expect(rebuilt.status).toBe('running');
  expect(rebuilt.commitSha).toBe(second);

  const closed = await pullRequest('closed', second);
  expect(closed.body.message).toBe('removed: preview pv--pr-12');
  expect(await readRoute(context.redis, context.instance, 'pv--pr-12')).toBeNull();
  await waitFor(
    async () =>
      (await containersOf(context.instance)).every(
        (container) => container.labels[labelKeys.appId] !== preview?.id,
      ),
    { timeoutMs: 60_000, description: "the preview's containers to be removed" },
  );
});
