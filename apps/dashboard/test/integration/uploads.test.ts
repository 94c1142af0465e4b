// Deploying a folder through the API (POST /apps/{name}/uploads): no builder runs here; the stored
// archive, the queued deployment and its job are what a caller can observe. The builder's side is
// services/builder/test/integration/upload-build.test.ts; the CLI's, apps/cli's cli-platform test.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createAppResponse,
  deploymentResponse,
  errorResponse,
  uploadDeploymentResponse,
} from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import type { TestContext } from '@cove/shared/testing/context';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { and, eq } from 'drizzle-orm';
import { create } from 'tar';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as rollbackRoute from '../../app/api/v1/apps/[name]/deployments/[id]/rollback/route';
import * as deploymentsRoute from '../../app/api/v1/apps/[name]/deployments/route';
import * as uploadsRoute from '../../app/api/v1/apps/[name]/uploads/route';
import * as appsRoute from '../../app/api/v1/apps/route';
import * as webhookRoute from '../../app/api/v1/webhooks/[name]/route';
import { call, createTestApp, signUpWithToken, startDashboardContext, stopDashboardContext } from './harness';

const { appUploads, deployments } = schema;

let context: TestContext;
let folder: string;

beforeAll(async () => {
  context = await startDashboardContext({ COVE_UPLOAD_MAX_MB: '0.05', COVE_UPLOAD_MAX_FILES: '50' });
  folder = await mkdtemp(path.join(tmpdir(), 'cove-upload-'));
});
afterAll(async () => {
  await stopDashboardContext(context);
  await rm(folder, { recursive: true, force: true });
});

async function pack(files: Record<string, string>): Promise<Buffer> {
  const root = await mkdtemp(path.join(folder, 'app-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of create({ cwd: root, gzip: true, portable: true }, ['.']))
    chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function createUploadApp(token: string, mainFile = 'streamlit_app.py') {
  const name = `up-${crypto.randomUUID().slice(0, 8)}`;
  const response = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token,
    body: { name, source: 'upload', mainFile },
  });
  expect(response.status).toBe(201);
  const app = createAppResponse.parse(await response.json());
  return { name, app };
}

function upload(token: string, name: string, archive: Buffer, query = '') {
  return call(uploadsRoute.POST, {
    method: 'POST',
    path: `/apps/${name}/uploads${query}`,
    params: { name },
    token,
    rawBody: archive,
    headers: { 'content-type': 'application/gzip' },
  });
}

async function errorOf(response: Response) {
  return errorResponse.parse(await response.json()).error;
}

test('an app made for uploads waits for its first folder, then builds each new one by its digest', async () => {
  const account = await signUpWithToken();
  const { name, app } = await createUploadApp(account.token);
  expect(app.source).toBe('upload');
  expect(app.repoUrl).toBe('');
  expect(app.latestDeployment).toBeNull();
  expect(app.statusMessage).toContain(`cove deploy ./folder --name ${name}`);

  const files = {
    'streamlit_app.py': 'import streamlit as st\nst.write("hi")\n',
    'requirements.txt': 'pandas\n',
  };
  const first = await upload(account.token, name, await pack(files));
  expect(first.status).toBe(202);
  const queued = uploadDeploymentResponse.parse(await first.json());
  expect(queued.isUnchanged).toBe(false);
  expect(queued.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(queued.fileCount).toBe(2);
  expect(queued.deployment).toMatchObject({
    trigger: 'upload',
    status: 'queued',
    commit: null,
    uploadDigest: queued.digest,
    branch: '',
  });
  const [stored] = await context.db
    .select()
    .from(appUploads)
    .where(and(eq(appUploads.appId, app.id), eq(appUploads.digest, queued.digest)));
  expect(stored?.workspaceId).toBe(account.workspaceId);
  expect(stored?.fileCount).toBe(2);

  // Packed again (new times, same content): the same digest, and nothing new while it is queued.
  const again = await upload(account.token, name, await pack(files));
  expect(again.status).toBe(200);
  const unchanged = uploadDeploymentResponse.parse(await again.json());
  expect(unchanged.isUnchanged).toBe(true);
  expect(unchanged.deployment.id).toBe(queued.deployment.id);
  expect(unchanged.message).toMatch(/^Nothing changed: .* is already deploying this folder/);

  // Once live, the same folder is still nothing new; a changed file is a new deployment.
  await context.db
    .update(deployments)
    .set({ status: 'running', imageTag: 'cove-test/x:upload', containerId: 'c1', finishedAt: new Date() })
    .where(eq(deployments.id, queued.deployment.id));
  await context.db
    .update(schema.apps)
    .set({ liveDeploymentId: queued.deployment.id, status: 'running' })
    .where(eq(schema.apps.id, app.id));
  const live = uploadDeploymentResponse.parse(
    await (await upload(account.token, name, await pack(files))).json(),
  );
  expect(live.message).toMatch(/already runs this folder/);
  const changed = await upload(
    account.token,
    name,
    await pack({ ...files, 'streamlit_app.py': 'print(2)\n' }),
  );
  expect(changed.status).toBe(202);
  const next = uploadDeploymentResponse.parse(await changed.json());
  expect(next.digest).not.toBe(queued.digest);

  // Redeploy builds the newest folder again; a rollback carries the digest of the one it starts.
  const redeploy = await call(deploymentsRoute.POST, {
    method: 'POST',
    path: `/apps/${name}/deployments`,
    params: { name },
    token: account.token,
  });
  expect(redeploy.status).toBe(202);
  expect(deploymentResponse.parse(await redeploy.json()).deployment.uploadDigest).toBe(next.digest);
  await context.db
    .update(deployments)
    .set({ status: 'superseded' })
    .where(eq(deployments.id, queued.deployment.id));
  await context.db.update(schema.apps).set({ liveDeploymentId: null }).where(eq(schema.apps.id, app.id));
  const rollback = await call(rollbackRoute.POST, {
    method: 'POST',
    path: `/apps/${name}/deployments/${queued.deployment.id}/rollback`,
    params: { name, id: queued.deployment.id },
    token: account.token,
  });
  expect(rollback.status).toBe(202);
  expect(deploymentResponse.parse(await rollback.json()).deployment.uploadDigest).toBe(queued.digest);
});

test('the main file can change with a folder, and must be in it', async () => {
  const account = await signUpWithToken();
  const { name } = await createUploadApp(account.token);
  const archive = await pack({ 'app.py': 'print(1)\n' });
  const missing = await upload(account.token, name, archive);
  expect(missing.status).toBe(400);
  const error = await errorOf(missing);
  expect(error.message).toBe(
    "The folder has no streamlit_app.py, the app's main file. Give the right one (cove deploy --main <file>), relative to the folder.",
  );
  const withMain = await upload(account.token, name, archive, '?mainFile=app.py');
  expect(withMain.status).toBe(202);
  const [row] = await context.db.select().from(schema.apps).where(eq(schema.apps.name, name));
  expect(row?.mainFile).toBe('app.py');
  const badMain = await upload(account.token, name, archive, '?mainFile=../x.py');
  expect(badMain.status).toBe(400);
});

test('refuses what it cannot deploy, in plain words', async () => {
  const account = await signUpWithToken();
  const { name, app } = await createUploadApp(account.token);
  // COVE_UPLOAD_MAX_MB is 0.05 here: ~51 KB of random bytes does not compress below it.
  const big = await pack({
    'streamlit_app.py': 'x',
    'blob.bin': crypto.getRandomValues(new Uint8Array(60_000)).toString(),
  });
  const tooBig = await upload(account.token, name, big);
  expect(tooBig.status).toBe(413);
  expect((await errorOf(tooBig)).message).toMatch(
    /larger than 0.05 MB, the most Cove accepts \(COVE_UPLOAD_MAX_MB\).*\.coveignore/,
  );
  const many = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`f${index}.py`, 'x']));
  const tooMany = await upload(account.token, name, await pack({ ...many, 'streamlit_app.py': 'x' }));
  expect(tooMany.status).toBe(413);
  expect((await errorOf(tooMany)).message).toMatch(/more than 50 files and folders/);
  const notTar = await upload(account.token, name, Buffer.from('hello, this is not an archive'.repeat(20)));
  expect(notTar.status).toBe(400);
  expect((await errorOf(notTar)).message).toMatch(/not a tar archive/);

  const gitApp = await createTestApp(account.token, 'git');
  const refused = await upload(account.token, gitApp.name, await pack({ 'streamlit_app.py': 'x' }));
  expect(refused.status).toBe(409);
  expect((await errorOf(refused)).message).toMatch(/deploys from its git repository, not from folders/);

  // An app made for uploads takes no repository, and ignores pushes.
  const both = await call(appsRoute.POST, {
    method: 'POST',
    path: '/apps',
    params: {},
    token: account.token,
    body: {
      name: `up-${crypto.randomUUID().slice(0, 8)}`,
      source: 'upload',
      repoUrl: 'https://example.com/r.git',
    },
  });
  expect(both.status).toBe(400);
  const sha = 'c'.repeat(40);
  const payload = JSON.stringify({ ref: 'refs/heads/main', after: sha, head_commit: null });
  const push = await call(webhookRoute.POST, {
    method: 'POST',
    path: `/webhooks/${name}`,
    params: { name },
    rawBody: payload,
    headers: {
      'x-github-event': 'push',
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': signGitHubPayload(app.webhook.secret, payload),
    },
  });
  expect(push.status).toBe(202);
  expect(await push.json()).toEqual({
    deploymentId: null,
    message: 'ignored: this app deploys uploaded folders, not pushes',
  });
});
