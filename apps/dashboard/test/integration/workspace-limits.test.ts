// Workspace limits: the operator sets them with `npm run workspace:limits` (run here for real), the
// API refuses what goes beyond them with a clear message, and the workspace page's API shows usage.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createAppResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import type { TestContext } from '@cove/shared/testing/context';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as deploymentsRoute from '../../app/api/v1/apps/[name]/deployments/route';
import * as appRoute from '../../app/api/v1/apps/[name]/route';
import * as wakeRoute from '../../app/api/v1/apps/[name]/wake/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as pushRoute from '../../app/api/v1/webhooks/[name]/route';
import * as workspaceRoute from '../../app/api/v1/workspace/route';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

const { apps, deployments } = schema;
const repositoryRoot = path.resolve(import.meta.dirname, '../../../..');
let context: TestContext;

beforeAll(async () => {
  context = await startDashboardContext({ COVE_APP_MEMORY_MB: '512' });
});
afterAll(async () => {
  await stopDashboardContext(context);
});

async function setLimits(...args: string[]) {
  const { stdout } = await promisify(execFile)(
    path.join(repositoryRoot, 'node_modules/.bin/tsx'),
    ['services/shared/src/workspaces/limits-cli.ts', ...args],
    { cwd: repositoryRoot, env: { ...process.env, ...context.env }, timeout: 60_000 },
  );
  return stdout;
}

async function errorOf(response: Response) {
  return { status: response.status, body: await response.json() };
}

test('the operator sets limits; creating, memory, deploying and waking beyond them are refused', async () => {
  const owner = await signUpWithToken();
  const shown = await setLimits(
    owner.workspaceId,
    '--max-apps',
    '2',
    '--max-running-apps',
    '1',
    '--max-memory-mb',
    '1536',
  );
  expect(shown).toContain('apps            2\n');
  expect(shown).toContain('memory          1536 MB');

  const first = await createTestApp(owner.token, 'limits');
  const second = await createTestApp(owner.token, 'limits');
  const third = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token: owner.token,
    body: { name: 'limits-third', repoUrl: 'http://127.0.0.1:9/repo.git' },
  });
  expect(await errorOf(third)).toEqual({
    status: 403,
    body: {
      error: {
        code: 'limit_reached',
        message:
          'This workspace has 2 of its 2 apps. Delete an app first, or ask the operator to raise the limit.',
      },
    },
  });

  const patchMemory = (memoryMb: number) =>
    call(appRoute.PATCH, {
      method: 'PATCH',
      path: `/apps/${first.name}`,
      params: { name: first.name },
      token: owner.token,
      body: { memoryMb },
    });
  // Neither app is awake yet: only the workspace's whole limit bounds one app's setting.
  const beyondAll = await errorOf(await patchMemory(2048));
  expect(beyondAll.status).toBe(403);
  expect(beyondAll.body.error.fields.memoryMb).toBe(
    "This workspace's awake apps may use 1536 MB together, so no app can have more. Ask the operator to raise the limit.",
  );

  // The first app runs; the second sleeps with a live version: one running app is the limit.
  for (const [app, status] of [
    [first, 'running'],
    [second, 'sleeping'],
  ] as const) {
    const [deployment] = await context.db.select().from(deployments).where(eq(deployments.appId, app.appId));
    await context.db
      .update(apps)
      .set({ status, liveDeploymentId: deployment?.id ?? null })
      .where(eq(apps.id, app.appId));
  }
  // The sleeping app holds no memory: the awake one may have all of it.
  expect((await patchMemory(1536)).status).toBe(200);
  expect((await patchMemory(1024)).status).toBe(200);
  const act = (handler: typeof wakeRoute.POST, action: string, name: string) =>
    call(handler, { method: 'POST', path: `/apps/${name}/${action}`, params: { name }, token: owner.token });
  const wake = await errorOf(await act(wakeRoute.POST, 'wake', second.name));
  expect(wake.status).toBe(403);
  expect(wake.body.error.message).toBe(
    `Cove cannot wake ${second.name}: this workspace already runs 1 of its 1 apps at once. Put an app to sleep or delete one, or ask the operator to raise the limit.`,
  );
  expect((await act(deploymentsRoute.POST, 'deployments', second.name)).status).toBe(403);
  // Redeploying the app that runs does not add one.
  expect((await act(deploymentsRoute.POST, 'deployments', first.name)).status).toBe(202);

  const workspace = await call(workspaceRoute.GET, { path: '/workspace', params: {}, token: owner.token });
  expect(await workspace.json()).toMatchObject({
    id: owner.workspaceId,
    role: 'owner',
    limits: { maxApps: 2, maxRunningApps: 1, maxMemoryMb: 1536 },
    usage: { apps: 2, runningApps: 1, memoryMb: 1024 },
  });

  // With a second running slot, memory is what stops the wake: 1024 MB awake + 512 > 1536 MB.
  await setLimits(owner.workspaceId, '--max-running-apps', 'default', '--max-memory-mb', '1500');
  const wakeForMemory = await errorOf(await act(wakeRoute.POST, 'wake', second.name));
  expect(wakeForMemory.status).toBe(403);
  expect(wakeForMemory.body.error.message).toBe(
    `Cove cannot wake ${second.name}: it needs 512 MB, and this workspace's awake apps already use 1024 of their 1500 MB. Put an app to sleep or lower an app's memory, or ask the operator to raise the limit.`,
  );
  // An awake app can grow only into what the other awake apps leave.
  await context.db.update(apps).set({ status: 'running' }).where(eq(apps.id, second.appId));
  const tooMuch = await errorOf(await patchMemory(1100));
  expect(tooMuch.body.error.fields.memoryMb).toBe(
    "This workspace's awake apps may use 1500 MB together and the others awake now use 512 MB, so this app can have at most 988 MB. Put another app to sleep or lower its memory, or ask the operator to raise the limit.",
  );
  await context.db.update(apps).set({ status: 'sleeping' }).where(eq(apps.id, second.appId));

  // "default" gives the platform's default back; then the wake goes through.
  await setLimits(owner.workspaceId, '--max-memory-mb', 'default');
  expect((await act(wakeRoute.POST, 'wake', second.name)).status).toBe(202);
});

test('a push that would start an app beyond the running-apps limit is refused; a push to a running app redeploys', async () => {
  const owner = await signUpWithToken();
  const created = [];
  for (let index = 0; index < 2; index++) {
    const response = await call(appsRoute.POST, {
      method: 'POST',
      path: '/apps',
      params: {},
      token: owner.token,
      body: { name: `push-${randomUUID().slice(0, 8)}`, repoUrl: 'http://127.0.0.1:9/repo.git' },
    });
    created.push(createAppResponse.parse(await response.json()));
  }
  const [running, stopped] = created;
  if (!running || !stopped) throw new Error('apps missing');
  await context.db.update(apps).set({ status: 'running' }).where(eq(apps.id, running.id));
  await context.db.update(apps).set({ status: 'stopped' }).where(eq(apps.id, stopped.id));
  await setLimits(owner.workspaceId, '--max-running-apps', '1');
  const push = (app: typeof running) => {
    const body = JSON.stringify({
      ref: `refs/heads/${app.branch}`,
      after: 'a'.repeat(40),
      head_commit: null,
    });
    return call(pushRoute.POST, {
      method: 'POST',
      path: `/webhooks/${app.name}`,
      params: { name: app.name },
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signGitHubPayload(app.webhook.secret, body),
      },
    });
  };
  const pushDeployments = async (appId: string) =>
    (await context.db.select().from(deployments).where(eq(deployments.appId, appId))).filter(
      (deployment) => deployment.trigger === 'push',
    );

  const refused = await errorOf(await push(stopped));
  expect(refused).toEqual({
    status: 403,
    body: {
      error: {
        code: 'limit_reached',
        message: `Cove cannot start ${stopped.name} for this push: this workspace already runs 1 of its 1 apps at once. Put an app to sleep or delete one, or ask the operator to raise the limit.`,
      },
    },
  });
  expect(await pushDeployments(stopped.id)).toEqual([]);
  expect((await push(running)).status).toBe(202);
  expect(await pushDeployments(running.id)).toHaveLength(1);
  // With room again, the stopped app deploys on its next push.
  await setLimits(owner.workspaceId, '--max-running-apps', '2');
  expect((await push(stopped)).status).toBe(202);
  expect(await pushDeployments(stopped.id)).toHaveLength(1);
});

test('a workspace without its own limits has the platform defaults, and the CLI explains mistakes', async () => {
  const owner = await signUpWithToken();
  const workspace = await call(workspaceRoute.GET, { path: '/workspace', params: {}, token: owner.token });
  expect(await workspace.json()).toMatchObject({
    limits: { maxApps: 50, maxRunningApps: 20, maxMemoryMb: 16384 },
    usage: { apps: 0, runningApps: 0, memoryMb: 0 },
  });
  await expect(setLimits(owner.workspaceId, '--max-apps', 'ten')).rejects.toMatchObject({
    stderr: '--max-apps needs a whole number or "default".\n',
  });
  await expect(setLimits('no such workspace')).rejects.toMatchObject({
    stderr: 'No workspace is called or has the id "no such workspace".\n',
  });
});
