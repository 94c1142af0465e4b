// Secrets reach the app as .streamlit/secrets.toml (mounted, readable by the app's user only) and as
// environment variables; a change reaches the running app without a rebuild; and no stored log
// line or platform log line ever holds a secret value.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { replaceSecrets } from '@cove/shared/apps/secrets';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { openJobQueues } from '@cove/shared/jobs/queues';
import { createLogger } from '@cove/shared/logs/logger';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningBuilder, startBuilder } from '../../src/builder';
import {
  cleanUpMachine,
  containersOf,
  health,
  insertApp,
  insertDeployment,
  readDeployment,
  runPythonAsApp,
  waitForFinished,
} from './fixture';

const run = promisify(execFile);
let context: TestContext;
let git: GitServer;
let builder: RunningBuilder;
let queues: ReturnType<typeof openJobQueues>;
const platformLog: string[] = [];

beforeAll(async () => {
  context = await createTestContext();
  git = await startGitServer();
  const config = parseConfig(builderConfigSchema, context.env);
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => platformLog.push(chunk.toString('utf8')));
  builder = await startBuilder(config, createLogger('builder-test', 'debug', destination), {
    drainMs: 5_000,
  });
  queues = openJobQueues(context.redis, context.instance);
});

afterAll(async () => {
  await queues?.close();
  await builder?.stop();
  await cleanUpMachine(context);
  await git?.close();
  await context?.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** What the app sees, run as the app's user inside its container: hashes, never the values. */
const probe = [
  'import hashlib, os',
  'import streamlit as st',
  'digest = lambda value: hashlib.sha256(value.encode()).hexdigest()',
  'print(digest(st.secrets["GREETING"]), digest(os.environ.get("GREETING", "")), digest(st.secrets["database"]["password"]))',
  // The app printing its own secret: what reaches the stored runtime log must be masked.
  'open("/proc/1/fd/1", "w").write("the greeting is " + st.secrets["GREETING"] + "\\n")',
].join('\n');

async function seenByApp(containerId: string) {
  const printed = await runPythonAsApp(containerId, probe);
  const [greeting, environment, password] = printed.trim().split(' ');
  const { stdout: stat } = await run('docker', [
    'exec',
    containerId,
    'stat',
    '-c',
    '%u %a',
    '/app/.streamlit/secrets.toml',
  ]);
  return { greeting, environment, password, fileOwnerAndMode: stat.trim() };
}

test('secrets reach the container, a change applies without a rebuild, and no log holds a value', async () => {
  const first = `planted-one-${randomUUID()}`;
  const second = `planted-two-${randomUUID()}`;
  await git.createRepo('secretive', {
    'app.py': 'import streamlit as st\nst.write(st.secrets["GREETING"])\n',
  });
  const app = await insertApp(context, { name: 'secretive', repoUrl: git.repoUrl('secretive') });
  const [user] = await context.db
    .insert(schema.users)
    .values({ email: `${randomUUID()}@example.com`, passwordHash: 'unused' })
    .returning();
  const deps = {
    db: context.db,
    redis: context.redis,
    queues,
    config: parseConfig(builderConfigSchema, context.env),
  };
  const actor = { workspaceId: app.workspaceId, userId: user?.id ?? '' };
  const toml = (greeting: string) => `GREETING = "${greeting}"\n\n[database]\npassword = "${greeting}-db"\n`;
  expect((await replaceSecrets(deps, actor, app.name, toml(first))).isRestarting).toBe(false);

  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  const deployed = await waitForFinished(context, deploymentId);
  expect(deployed.errorMessage).toBeNull();
  const firstContainer = deployed.containerId ?? '';
  expect(await seenByApp(firstContainer)).toEqual({
    greeting: sha256(first),
    environment: sha256(first),
    password: sha256(`${first}-db`),
    fileOwnerAndMode: '10001 400',
  });
  // Mounted at run time, never part of the image.
  await expect(
    run('docker', [
      'run',
      '--rm',
      '--entrypoint',
      'cat',
      deployed.imageTag ?? '',
      '/app/.streamlit/secrets.toml',
    ]),
  ).rejects.toThrow(/No such file/);

  const saved = await replaceSecrets(deps, actor, app.name, toml(second));
  expect(saved).toMatchObject({ isRestarting: true, version: 2 });
  const swapped = await waitFor(
    async () => {
      const row = await readDeployment(context, deploymentId);
      if (row.containerId === firstContainer || row.hostPort === null) return undefined;
      return (await health(row.hostPort)) === 'ok' ? row : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the live deployment to run with the new secrets' },
  );
  expect(swapped.imageTag).toBe(deployed.imageTag);
  expect(await seenByApp(swapped.containerId ?? '')).toEqual({
    greeting: sha256(second),
    environment: sha256(second),
    password: sha256(`${second}-db`),
    fileOwnerAndMode: '10001 400',
  });
  await waitFor(async () => (await containersOf(context.instance)).length === 1, {
    timeoutMs: 30_000,
    description: 'the container with the old secrets to be removed',
  });
  const deploymentsOfApp = await context.db
    .select()
    .from(schema.deployments)
    .where(eq(schema.deployments.appId, app.appId));
  expect(deploymentsOfApp).toHaveLength(1);

  // What the app printed of its secret was kept masked.
  await waitFor(
    async () => {
      const rows = await context.db
        .select()
        .from(schema.deploymentLogs)
        .where(eq(schema.deploymentLogs.deploymentId, deploymentId));
      return rows.filter((row) => row.line === 'the greeting is [secret]').length >= 2;
    },
    { timeoutMs: 15_000, description: 'the masked line the app printed, from both containers' },
  );

  const storedLines = await context.db.select().from(schema.deploymentLogs);
  const everyLog = [...storedLines.map((row) => row.line), ...platformLog].join('\n');
  expect(storedLines.length).toBeGreaterThan(10);
  expect(platformLog.join('')).toContain('build finished');
  for (const value of [first, second]) expect(everyLog).not.toContain(value);
  const stored = JSON.stringify([
    await context.db.select().from(schema.appSecrets),
    await context.db.select().from(schema.auditLog),
    await context.db.select().from(schema.apps),
  ]);
  for (const value of [first, second]) expect(stored).not.toContain(value);

  // Deleting the app takes its secrets file off the host too.
  const secretsDir = path.join(context.env.COVE_WORK_DIR ?? '', 'secrets', app.appId);
  expect(existsSync(path.join(secretsDir, 'secrets.toml'))).toBe(true);
  await context.db.delete(schema.apps).where(eq(schema.apps.id, app.appId));
  await waitFor(() => !existsSync(secretsDir), {
    timeoutMs: 30_000,
    description: "the deleted app's secrets file to be removed",
  });
});
