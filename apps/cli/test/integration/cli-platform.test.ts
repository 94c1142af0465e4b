// The `cove` CLI against the real platform on this machine: the dashboard's own server, the real
// builder (Docker, the runtime image) and the proxy, each on its own port of 127.0.0.1 with this
// file's database and instance. A person signs in with a password, deploys a folder, reads its
// build log, opens it through the proxy, sets secrets (the container gets them), deploys a change,
// rolls back to the first folder and deletes the app.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signUp } from '@cove/shared/auth/accounts';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { appView, deploymentResponse, uploadDeploymentResponse } from '@cove/shared/contracts/api';
import { schema } from '@cove/shared/db/client';
import { createLogger } from '@cove/shared/logs/logger';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningBuilder } from '../../../../services/builder/src/builder';
import {
  cleanUpMachine,
  containersOf,
  runPythonAsApp,
  startTestBuilder,
} from '../../../../services/builder/test/integration/fixture';
import { type RunningProxy, startProxy } from '../../../../services/proxy/src/proxy';
import { send } from '../../../../services/proxy/test/integration/client';
import { type DashboardServer, startDashboardServer } from '../../../dashboard/test/dashboard-process';
import { buildCli, runCove } from './run-cove';

let context: TestContext;
let dashboard: DashboardServer;
let builder: RunningBuilder;
let proxy: RunningProxy;
let home: string;
let folder: string;
const email = `${randomUUID()}@example.com`;
const password = 'a long enough password';
const appName = `folder-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  context = await createTestContext();
  const [server] = await Promise.all([startDashboardServer(context.env), buildCli()]);
  dashboard = server;
  builder = await startTestBuilder(context);
  proxy = await startProxy(
    parseConfig(proxyConfigSchema, { ...context.env, COVE_PROXY_HOST: '127.0.0.1', COVE_PROXY_PORT: '0' }),
    createLogger('cli-platform-proxy', process.env.COVE_TEST_LOG_LEVEL ?? 'silent'),
  );
  await signUp(context.db, { email, password });
  home = await mkdtemp(join(tmpdir(), 'cove-cli-platform-'));
  folder = join(home, 'my-app');
});
afterAll(async () => {
  await proxy?.stop();
  await builder?.stop();
  await dashboard?.stop();
  if (context) await cleanUpMachine(context);
  await context?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

const env = () => ({ HOME: home });

async function writeFolder(title: string): Promise<void> {
  await mkdir(join(folder, 'notes'), { recursive: true });
  await writeFile(
    join(folder, 'streamlit_app.py'),
    `import os\nimport streamlit as st\n\nst.title(${JSON.stringify(title)})\nst.write(os.environ.get("GREETING", ""))\n`,
  );
  await writeFile(join(folder, '.coveignore'), 'notes/\n');
  await writeFile(join(folder, 'notes', 'draft.md'), 'not deployed');
}

/** What the app's live container runs, asked inside it. */
async function inLiveContainer(script: string): Promise<string> {
  const [app] = await context.db.select().from(schema.apps).where(eq(schema.apps.name, appName));
  if (!app?.liveDeploymentId) throw new Error(`${appName} has nothing live`);
  const [live] = await context.db
    .select()
    .from(schema.deployments)
    .where(eq(schema.deployments.id, app.liveDeploymentId));
  if (!live?.containerId) throw new Error('the live deployment has no container');
  return (await runPythonAsApp(live.containerId, script)).trim();
}

const throughProxy = (path: string) => send(proxy.port, `${appName}.localhost`, path);

test('login, deploy a folder, its build log, open, secrets, a change, rollback, delete', async () => {
  const login = await runCove(['login', '--server', dashboard.origin, '--email', email], {
    env: env(),
    stdin: `${password}\n`,
  });
  expect(login.stderr).toBe(`Password for ${email}: \n`);
  expect(login.code).toBe(0);

  await writeFolder('Version one');
  const first = await runCove(['deploy', folder, '--name', appName, '--main', 'streamlit_app.py'], {
    env: env(),
  });
  expect(first.code, first.stderr).toBe(0);
  expect(first.stderr).toContain('Packed 2 files from');
  expect(first.stderr).toContain(`Created ${appName}`);
  // The build log, followed as it came.
  const output = `${first.stdout}${first.stderr}`;
  expect(output).toMatch(/Unpacking the uploaded folder [0-9a-f]{12}/);
  expect(output).toContain('The new version is live.');
  expect(first.stdout.trim().split('\n').at(-1)).toBe(`http://${appName}.localhost/`);

  const logs = await runCove(['logs', appName], { env: env() });
  expect(logs.code).toBe(0);
  expect(logs.stdout).toMatch(/Unpacking the uploaded folder/);

  const opened = await runCove(['open', appName], { env: env() });
  expect(opened.stdout).toBe(`http://${appName}.localhost/\n`);
  expect((await throughProxy('/_stcore/health')).body).toBe('ok');
  expect((await throughProxy('/')).body).toContain('<title>Streamlit</title>');
  expect(await inLiveContainer('import os; print(sorted(os.listdir(".")))')).not.toContain('notes');

  // The same folder again: nothing built.
  const unchanged = await runCove(['deploy', folder, '--name', appName, '--json'], { env: env() });
  expect(unchanged.code).toBe(0);
  const sameAnswer = uploadDeploymentResponse.parse(JSON.parse(unchanged.stdout));
  expect(sameAnswer.isUnchanged).toBe(true);
  const firstDigest = sameAnswer.digest;

  const secrets = await runCove(['secrets', 'set', appName, '-'], {
    env: env(),
    stdin: 'GREETING = "hello from the CLI"\n',
  });
  expect(secrets.code, secrets.stderr).toBe(0);
  await waitFor(
    async () =>
      (await inLiveContainer('import os; print(os.environ.get("GREETING", ""))').catch(() => '')) ===
      'hello from the CLI',
    { timeoutMs: 90_000, intervalMs: 500, description: 'the running app to restart with its secrets' },
  );

  await writeFolder('Version two');
  const second = await runCove(['deploy', folder, '--name', appName, '-q', '--json'], { env: env() });
  expect(second.code, second.stderr).toBe(0);
  const secondAnswer = uploadDeploymentResponse.parse(JSON.parse(second.stdout));
  expect(secondAnswer.digest).not.toBe(firstDigest);
  expect(secondAnswer.deployment.status).toBe('running');

  const rollback = await runCove(['rollback', appName, '--json'], { env: env() });
  expect(rollback.code, rollback.stderr).toBe(0);
  const rolledBack = deploymentResponse.parse(JSON.parse(rollback.stdout)).deployment;
  expect(rolledBack).toMatchObject({ trigger: 'rollback', status: 'running', uploadDigest: firstDigest });
  const status = appView.parse(
    JSON.parse((await runCove(['status', appName, '--json'], { env: env() })).stdout),
  );
  expect(status.currentDeployment?.id).toBe(rolledBack.id);
  expect((await throughProxy('/_stcore/health')).body).toBe('ok');
  // Secrets stay with the app across versions.
  expect(await inLiveContainer('import os; print(os.environ.get("GREETING", ""))')).toBe(
    'hello from the CLI',
  );

  const refused = await runCove(['delete', appName], { env: env() });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('add --yes');
  const deleted = await runCove(['delete', appName, '--yes'], { env: env() });
  expect(deleted.code).toBe(0);
  expect(deleted.stdout).toBe(`Deleted ${appName}.\n`);
  expect((await runCove(['status', appName], { env: env() })).code).toBe(3);
  expect((await throughProxy('/_stcore/health')).status).toBe(404);
  await waitFor(async () => (await containersOf(context.instance)).length === 0, {
    timeoutMs: 60_000,
    description: "the deleted app's containers to be removed",
  });
});
