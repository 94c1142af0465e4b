// A folder deployed without git (POST /apps/{name}/uploads, through the shared service) is built on
// the real engine exactly as a commit is: the same dependency detection and workspace uv cache, a
// code-only change reuses the installed dependencies, and the image is named by the folder's
// digest. The builder checks the stored archive again before it unpacks it.
import { parseConfig } from '@cove/shared/config/load';
import { commonConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import { deployUpload } from '@cove/shared/uploads/deploy';
import { eq } from 'drizzle-orm';
import { Header } from 'tar';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type AppFixture,
  type BuilderWorld,
  buildAndWait,
  health,
  insertApp,
  readLiveBuildLog,
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

/** A tar of the given files, block by block (so a test can also write what no packer would). */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    new Header({ path: name, type: 'File', size: body.length, mode: 0o644, mtime: new Date() }).encode(
      header,
      0,
    );
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

const mainFile = (title: string) =>
  `import six\nimport streamlit as st\n\nst.title(${JSON.stringify(title)})\n`;

function deps() {
  return {
    db: context.db,
    redis: context.redis,
    queues: world.queues,
    config: parseConfig(commonConfigSchema, context.env),
  };
}

async function uploadApp(name: string, workspaceId: string): Promise<AppFixture> {
  const app = await insertApp(context, { name, repoUrl: '', branch: '', workspaceId });
  await context.db.update(schema.apps).set({ source: 'upload' }).where(eq(schema.apps.id, app.appId));
  return app;
}

async function deployFolder(app: AppFixture, files: Record<string, string>) {
  const { body } = await deployUpload(deps(), app.workspaceId, app.name, tarOf(files), {}, null);
  const deployment = await waitForFinished(context, body.deployment.id);
  expect(deployment.errorMessage).toBeNull();
  expect(deployment.status).toBe('running');
  return { body, deployment, buildLog: await readLiveBuildLog(context, deployment.id) };
}

const prepared = (lines: string[]) => lines.filter((line) => /^Prepared \d+ packages? in /.test(line));

test('an uploaded folder builds like a commit: same detection, the workspace cache, reused dependencies', async () => {
  // A git app of the workspace installs six first: uv's workspace cache then holds it.
  await world.git.createRepo('up-git', { 'app.py': mainFile('git'), 'requirements.txt': 'six==1.16.0\n' });
  const gitApp = await insertApp(context, { name: 'up-git', repoUrl: world.git.repoUrl('up-git') });
  const fromGit = await buildAndWait(world, gitApp);
  expect(fromGit.deployment.status).toBe('running');

  const app = await uploadApp('up-folder', gitApp.workspaceId);
  const requirements = '# from a folder\nsix==1.16.0\n';
  const first = await deployFolder(app, { 'app.py': mainFile('one'), 'requirements.txt': requirements });
  expect(first.buildLog).toContain(`Unpacking the uploaded folder ${first.body.digest.slice(7, 19)}`);
  expect(first.buildLog.some((line) => line.includes('requirements.txt'))).toBe(true);
  expect(first.buildLog.some((line) => /^Installed 1 package in /.test(line))).toBe(true);
  expect(prepared(first.buildLog)).toEqual([]);
  expect(first.deployment.commitSha).toBeNull();
  expect(first.deployment.uploadDigest).toBe(first.body.digest);
  expect(first.deployment.imageTag).toBe(
    `cove-${context.instance}/${app.appId}:upload-${first.body.digest.slice('sha256:'.length)}`,
  );
  expect(await health(first.deployment.hostPort ?? 0)).toBe('ok');

  const second = await deployFolder(app, { 'app.py': mainFile('two'), 'requirements.txt': requirements });
  expect(second.body.digest).not.toBe(first.body.digest);
  expect(second.buildLog).toContain(
    'The dependencies are the same as in an earlier build: reusing their installed image.',
  );

  const again = await deployUpload(
    deps(),
    app.workspaceId,
    app.name,
    tarOf({ 'requirements.txt': requirements, 'app.py': mainFile('two') }),
    {},
    null,
  );
  expect(again.body.isUnchanged).toBe(true);
  expect(again.body.deployment.id).toBe(second.deployment.id);
});

test('the builder checks the stored archive again and refuses one that leaves the folder', async () => {
  const [workspace] = await context.db.insert(schema.workspaces).values({ name: 'ws-up-bad' }).returning();
  const app = await uploadApp('up-bad', workspace?.id ?? '');
  // Written behind the API's back: what the builder reads is checked like any input.
  const digest = `sha256:${'e'.repeat(64)}`;
  const archive = tarOf({ 'app.py': 'x = 1\n', '../../escaped.py': 'x' });
  await context.db.insert(schema.appUploads).values({
    appId: app.appId,
    workspaceId: app.workspaceId,
    digest,
    archive,
    sizeBytes: archive.length,
    fileCount: 2,
  });
  const [row] = await context.db
    .insert(schema.deployments)
    .values({
      appId: app.appId,
      workspaceId: app.workspaceId,
      trigger: 'upload',
      branch: '',
      uploadDigest: digest,
    })
    .returning();
  await world.queues.enqueueBuild({ deploymentId: row?.id ?? '' });
  const failed = await waitForFinished(context, row?.id ?? '');
  expect(failed.status).toBe('failed');
  expect(failed.errorMessage).toMatch(/"\.\.\/\.\.\/escaped\.py" goes up out of the folder/);
  const log = (await readLogLines(context.db, failed.id, 'build')).map((line) => line.line);
  expect(log).toContain(`Unpacking the uploaded folder ${'e'.repeat(12)}`);
});
