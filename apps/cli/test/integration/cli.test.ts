// The `cove` CLI as a person or a script runs it: a child process against the dashboard's real HTTP
// API (its own `next start` on a free port, its own database); the builder's part is played by
// stand-in-builder.ts, writing what the builder records.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signUp } from '@cove/shared/auth/accounts';
import { createApiToken } from '@cove/shared/auth/api-tokens';
import {
  appView,
  deploymentResponse,
  errorResponse,
  listAppsResponse,
  listTokensResponse,
  secretsView,
} from '@cove/shared/contracts/api';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { type DashboardServer, startDashboardServer } from '../../../dashboard/test/dashboard-process';
import { buildCli, runCove, startCove } from './run-cove';
import { makeLive, nextQueuedDeployment, playBuild, setAppStatus } from './stand-in-builder';

let context: TestContext;
let dashboard: DashboardServer;
let home: string;
let token: string;
let email: string;
let workspaceId: string;
let userId: string;
const appName = `cli-${randomUUID().slice(0, 8)}`;
let appId: string;
const seenDeployments = new Set<string>();

/** The environment of a person who ran `cove login` (config in $HOME), or of a script (COVE_API_*). */
const signedIn = () => ({ HOME: home });
const scripted = (apiToken = token) => ({
  HOME: home,
  COVE_API_URL: `${dashboard.origin}/api/v1`,
  COVE_API_TOKEN: apiToken,
});

beforeAll(async () => {
  context = await createTestContext();
  const [server] = await Promise.all([startDashboardServer(context.env), buildCli()]);
  dashboard = server;
  home = await mkdtemp(join(tmpdir(), 'cove-cli-home-'));
  email = `${randomUUID()}@example.com`;
  const account = await signUp(context.db, { email, password: 'a long enough password' });
  workspaceId = account.workspace.id;
  userId = account.user.id;
  ({ token } = await createApiToken(context.db, { workspaceId, userId, name: 'cli-tests' }));
});
afterAll(async () => {
  await dashboard?.stop();
  await context?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('login', () => {
  test("a refused token is exit 2 in the API's words, and nothing is saved", async () => {
    const run = await runCove(['login', '--server', dashboard.origin, '--token', 'not-a-token'], {
      env: signedIn(),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^cove: .+\nRun `cove login` with a valid token\.\n$/);
    await expect(stat(join(home, '.config/cove/config.json'))).rejects.toThrow(/ENOENT/);
  });

  test('checks the token against the session and saves it for the owner only', async () => {
    const run = await runCove(['login', '--server', `${dashboard.origin}/api/v1/`], {
      env: signedIn(),
      stdin: `${token}\n`,
    });
    expect(run.stderr).toBe('API token: \n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Signed in to ${dashboard.origin} as ${email}`);
    const path = join(home, '.config/cove/config.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ server: dashboard.origin, token });
  });

  test('--email signs in with the password from stdin, mints a token for the CLI and saves it', async () => {
    const otherHome = await mkdtemp(join(tmpdir(), 'cove-cli-email-'));
    try {
      const wrong = await runCove(['login', '--server', dashboard.origin, '--email', email], {
        env: { HOME: otherHome },
        stdin: 'not the password\n',
      });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/^Password for .+: \ncove: [^\n]+\n$/);
      await expect(stat(join(otherHome, '.config/cove/config.json'))).rejects.toThrow(/ENOENT/);

      const run = await runCove(['login', '--server', dashboard.origin, '--email', email], {
        env: { HOME: otherHome },
        stdin: 'a long enough password\n',
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Signed in to ${dashboard.origin} as ${email}`);
      expect(run.stdout).toMatch(/Made the API token "cove CLI on .+ \(\d{4}-\d\d-\d\d\)" for this CLI/);
      const saved = JSON.parse(await readFile(join(otherHome, '.config/cove/config.json'), 'utf8'));
      expect(saved).toEqual({ server: dashboard.origin, token: expect.stringMatching(/./), email });
      expect(saved.token).not.toBe(token);
      const apps = await runCove(['apps', '--json'], { env: { HOME: otherHome } });
      expect(apps.code).toBe(0);
      // With the saved email, tokens create asks only for the password.
      const created = await runCove(['tokens', 'create', 'from-cli', '--scope', 'read', '--json'], {
        env: { HOME: otherHome },
        stdin: 'a long enough password\n',
      });
      expect(created.code).toBe(0);
      const minted = z
        .object({ token: z.string(), scope: z.literal('read') })
        .parse(JSON.parse(created.stdout));
      const readOnly = await runCove(['apps'], { env: scripted(minted.token) });
      expect(readOnly.code).toBe(0);
    } finally {
      await rm(otherHome, { recursive: true, force: true });
    }
  });

  test('COVE_API_TOKEN wins over the saved token', async () => {
    const run = await runCove(['apps'], { env: { ...scripted('bogus'), COVE_API_URL: '' } });
    expect(run.code).toBe(2);
  });
});

describe('apps', () => {
  test("a bad name is exit 1 with the API's field message", async () => {
    const run = await runCove(['create', 'Bad_Name', '--repo', 'http://127.0.0.1:9/r.git'], {
      env: signedIn(),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Use lower-case letters, digits and dashes');
  });

  test('create, then list, status and open show it', async () => {
    const created = await runCove(
      ['create', appName, '--repo', 'http://127.0.0.1:9/r.git', '--branch', 'main', '--json'],
      { env: signedIn() },
    );
    expect(created.code).toBe(0);
    const app = appView.parse(JSON.parse(created.stdout));
    appId = app.id;
    if (app.latestDeployment) seenDeployments.add(app.latestDeployment.id);
    expect(app).toMatchObject({
      name: appName,
      branch: 'main',
      mainFile: 'streamlit_app.py',
      status: 'queued',
    });

    const listed = await runCove(['apps', '--json'], { env: scripted() });
    expect(listAppsResponse.parse(JSON.parse(listed.stdout)).apps.map((entry) => entry.name)).toEqual([
      appName,
    ]);
    const table = await runCove(['apps'], { env: signedIn() });
    expect(table.stdout).toMatch(
      new RegExp(`^${appName}\\s+queued\\s+${app.url.replaceAll('.', '\\.')}\\n$`),
    );

    const status = await runCove(['status', appName], { env: signedIn() });
    expect(status.stdout).toContain(`${appName}  queued`);
    expect(status.stdout).toContain('serving     nothing yet');

    const opened = await runCove(['open', appName], { env: signedIn() });
    expect(opened.stdout).toBe(`${app.url}\n`);
  });

  test('an app of no one here is exit 3', async () => {
    const run = await runCove(['status', 'no-such-app', '--json'], { env: signedIn() });
    expect(run.code).toBe(3);
    expect(errorResponse.parse(JSON.parse(run.stdout)).error.code).toBe('not_found');
  });
});

async function deployWith(lines: string[], outcome: Parameters<typeof playBuild>[3], args: string[] = []) {
  const cli = startCove(['deploy', appName, ...args], { env: signedIn() });
  const deployment = await nextQueuedDeployment(context, appId, seenDeployments);
  seenDeployments.add(deployment.id);
  // The CLI is waiting (its first status line is out) before the build starts.
  await waitFor(() => cli.stderr().includes('Deploying'), {
    timeoutMs: 30_000,
    description: 'the CLI waiting',
  });
  await playBuild(context, { id: deployment.id, appId }, lines, outcome);
  return { run: await cli.done, deploymentId: deployment.id };
}

describe('deploy, logs, rollback', () => {
  let firstLive: string;

  test('deploy prints the build log as it comes and exits 0 once running', async () => {
    const lines = ['Cloning http://127.0.0.1:9/r.git', 'Installing 3 packages', 'Health check passed'];
    const { run, deploymentId } = await deployWith(lines, { isSuccess: true, commit: 'a'.repeat(40) });
    firstLive = deploymentId;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${lines.join('\n')}\n`);
    expect(run.stderr).toContain(`${appName} is running (aaaaaaa)`);
    const status = appView.parse(
      JSON.parse((await runCove(['status', appName, '--json'], { env: signedIn() })).stdout),
    );
    expect(status.currentDeployment?.id).toBe(deploymentId);
  });

  test('logs prints the stored build log; -f follows it to its end', async () => {
    const printed = await runCove(['logs', appName], { env: signedIn() });
    expect(printed.stdout).toBe(
      'Cloning http://127.0.0.1:9/r.git\nInstalling 3 packages\nHealth check passed\n',
    );
    const followed = await runCove(['logs', appName, '--build', '-f', '--json'], { env: signedIn() });
    expect(followed.code).toBe(0);
    expect(
      followed.stdout
        .trim()
        .split('\n')
        .map((row) => JSON.parse(row).line),
    ).toEqual(['Cloning http://127.0.0.1:9/r.git', 'Installing 3 packages', 'Health check passed']);
  });

  test('a failed build is exit 6 with its reason; --quiet leaves the log out', async () => {
    const reason = 'The main file streamlit_app.py is not in the repository: set the main file and redeploy.';
    const { run } = await deployWith(['Cloning'], { isSuccess: false, errorMessage: reason }, ['--quiet']);
    expect(run.code).toBe(6);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`cove: ${reason}`);
  });

  test('rollback without a deployment named makes the one before the current live again', async () => {
    const second = await deployWith([], { isSuccess: true, commit: 'b'.repeat(40) });
    expect(second.run.code).toBe(0);
    const cli = startCove(['rollback', appName, '--json'], { env: signedIn() });
    const rollback = await nextQueuedDeployment(context, appId, seenDeployments);
    seenDeployments.add(rollback.id);
    expect(rollback).toMatchObject({ trigger: 'rollback', commitSha: 'a'.repeat(40) });
    await makeLive(context, { id: rollback.id, appId }, 'a'.repeat(40));
    const run = await cli.done;
    expect(run.code).toBe(0);
    expect(deploymentResponse.parse(JSON.parse(run.stdout)).deployment).toMatchObject({
      id: rollback.id,
      status: 'running',
    });
    expect(firstLive).not.toBe(rollback.id);
  });
});

describe('secrets', () => {
  test('set from stdin and from a file, keys, an invalid TOML refused with its line, rm --all', async () => {
    const fromStdin = await runCove(['secrets', 'set', appName, '-'], {
      env: signedIn(),
      stdin: 'API_KEY = "s3cret"\n[database]\nhost = "db"\n',
    });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain('Keys: API_KEY, database');
    expect(fromStdin.stdout).not.toContain('s3cret');

    const file = join(home, 'secrets.toml');
    await writeFile(file, 'TOKEN = "t"\n');
    expect((await runCove(['secrets', 'set', appName, file], { env: signedIn() })).code).toBe(0);
    const keys = await runCove(['secrets', 'keys', appName, '--json'], { env: signedIn() });
    expect(secretsView.parse(JSON.parse(keys.stdout)).keys).toEqual(['TOKEN']);

    const invalid = await runCove(['secrets', 'set', appName], { env: signedIn(), stdin: 'A = "x"\nB = \n' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/line 2/i);

    const removed = await runCove(['secrets', 'rm', appName, '--all'], { env: signedIn() });
    expect(removed.code).toBe(0);
    expect((await runCove(['secrets', 'keys', appName], { env: signedIn() })).stdout).toBe(
      `${appName} has no secrets.\n`,
    );
  });
});

describe('sleep and wake', () => {
  test('sleep is accepted; wake waits until the app runs again', async () => {
    const slept = await runCove(['sleep', appName, '--freeze'], { env: signedIn() });
    expect(slept.code).toBe(0);
    expect(slept.stdout).not.toBe('');
    await setAppStatus(context, appId, 'sleeping');
    const cli = startCove(['wake', appName], { env: signedIn() });
    await waitFor(() => cli.stderr().includes(`Waking ${appName}: sleeping`), {
      timeoutMs: 30_000,
      description: 'the CLI waiting for the wake',
    });
    await setAppStatus(context, appId, 'waking');
    await setAppStatus(context, appId, 'running');
    const run = await cli.done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${appName} is awake`);
  });

  test('sleeping an app with nothing running is refused (exit 4)', async () => {
    const other = `cli-${randomUUID().slice(0, 8)}`;
    await runCove(['create', other, '--repo', 'http://127.0.0.1:9/r.git'], { env: signedIn() });
    const run = await runCove(['sleep', other], { env: signedIn() });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('nothing to put to sleep');
  });
});

describe('tokens', () => {
  test('list, create (signing in with the password), revoke, and a revoked token is exit 2', async () => {
    const listed = await runCove(['tokens', '--json'], { env: signedIn() });
    expect(listTokensResponse.parse(JSON.parse(listed.stdout)).tokens.map((entry) => entry.name)).toContain(
      'cli-tests',
    );
    // A wrong password: the API's error body on stdout for scripts, its own words on stderr.
    const refused = await runCove(['tokens', 'create', 'ci', '--email', email, '--json'], {
      env: signedIn(),
      stdin: 'wrong password\n',
    });
    expect(refused.code).toBe(2);
    const refusal = errorResponse.parse(JSON.parse(refused.stdout)).error;
    expect(refused.stderr).toBe(`Password for ${email}: \ncove: ${refusal.message}\n`);
    const create = await runCove(['tokens', 'create', 'ci', '--email', email], {
      env: signedIn(),
      stdin: 'a long enough password\n',
    });
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^Created ci \(full\): \S+\nIt is shown this once\.\n$/);

    const spare = await createApiToken(context.db, { workspaceId, userId, name: 'spare' });
    const revoked = await runCove(['tokens', 'revoke', spare.id], { env: signedIn() });
    expect(revoked.code).toBe(0);
    const afterRevoke = await runCove(['apps'], { env: scripted(spare.token) });
    expect(afterRevoke.code).toBe(2);
  });
});

describe('logout', () => {
  test('forgets the saved token', async () => {
    const run = await runCove(['logout'], { env: signedIn() });
    expect(run.code).toBe(0);
    await expect(stat(join(home, '.config/cove/config.json'))).rejects.toThrow(/ENOENT/);
    expect((await runCove(['apps'], { env: signedIn() })).code).toBe(2);
  });
});
