// An app killed for memory: shown as crashed with a plain "out of memory" message naming its limit,
// the event in its runtime log, and restarts that back off (the crash count grows).
import { connect } from 'node:net';
import { schema } from '@cove/shared/db/client';
import type { openJobQueues } from '@cove/shared/jobs/queues';
import { readLogLines } from '@cove/shared/logs/deployment-logs';
import type { TestContext } from '@cove/shared/testing/context';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type BuilderWorld,
  health,
  insertApp,
  insertDeployment,
  readApp,
  readDeployment,
  startBuilderWorld,
  stopBuilderWorld,
  waitForFinished,
} from './fixture';

let context: TestContext;
let git: GitServer;
let queues: ReturnType<typeof openJobQueues>;

let world: BuilderWorld | undefined;

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, git, queues } = world);
});

afterAll(() => stopBuilderWorld(world));

// Streamlit runs the script only when a session asks for a run: a BackMsg whose rerun_script
// (field 11) is an empty ClientState. Sent over a bare WebSocket, so the test needs no client library.
function startScriptRun(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer to the WebSocket upgrade')));
    socket.once('error', reject);
    socket.write(
      'GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    socket.once('data', (head: Buffer) => {
      if (!head.toString('latin1').startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`the upgrade was refused: ${head.toString('latin1').split('\r\n')[0]}`));
        return;
      }
      const payload = Buffer.from([0x5a, 0x00]);
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = payload.map((byte, index) => byte ^ (mask[index % 4] ?? 0));
      // The socket stays open: the run belongs to the session; the container's death closes it.
      socket.on('error', () => {});
      socket.write(Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, masked]), () =>
        resolve(),
      );
    });
  });
}

async function waitForRunningPort(appId: string, deploymentId: string): Promise<number> {
  return waitFor(
    async () => {
      if ((await readApp(context, appId)).status !== 'running') return undefined;
      const { hostPort } = await readDeployment(context, deploymentId);
      if (hostPort === null) return undefined;
      return (await health(hostPort).catch(() => '')) === 'ok' ? hostPort : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the app to be running' },
  );
}

async function waitForCrash(appId: string, crashCount: number) {
  return waitFor(
    async () => {
      const row = await readApp(context, appId);
      return row.status === 'crashed' && row.crashCount === crashCount ? row : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `crash number ${crashCount}` },
  );
}

test('an app that allocates past its memory limit is reported as out of memory and restarts', async () => {
  await git.createRepo('hungry', {
    'app.py': [
      'import threading',
      'import streamlit as st',
      '',
      'def hog():',
      '    chunks = []',
      '    while True:',
      '        chunks.append(b"x" * (8 * 1024 * 1024))',
      '',
      '@st.cache_resource',
      'def runs():',
      '    return []',
      '',
      "# The deploy's script health check is this process's first run; the hog starts on the next.",
      'runs().append(1)',
      'if len(runs()) > 1:',
      '    threading.Thread(target=hog, daemon=True).start()',
      'st.write("hungry")',
      '',
    ].join('\n'),
  });
  const app = await insertApp(context, { name: 'hungry', repoUrl: git.repoUrl('hungry') });
  await context.db.update(schema.apps).set({ memoryMb: 96 }).where(eq(schema.apps.id, app.appId));
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  expect((await waitForFinished(context, deploymentId)).status).toBe('running');

  await startScriptRun(await waitForRunningPort(app.appId, deploymentId));
  const crashed = await waitForCrash(app.appId, 1);
  const message =
    'Your app ran out of memory: it used 96 MB, its limit. Make it use less memory or raise the limit in Settings.';
  expect(crashed.statusMessage).toBe(message);
  const logLines = await readLogLines(context.db, deploymentId, 'runtime');
  expect(logLines.map((line) => line.line)).toContain(`Cove: ${message}`);

  // Started again after the backoff; running out again counts a second crash.
  await startScriptRun(await waitForRunningPort(app.appId, deploymentId));
  expect((await waitForCrash(app.appId, 2)).statusMessage).toBe(message);
});

test('a child process killed for memory is reported while the app keeps running', async () => {
  await git.createRepo('spawner', {
    'app.py': [
      'import subprocess, sys',
      'import streamlit as st',
      '',
      'if "child" not in st.session_state:',
      '    hog = "chunks = []\\nwhile True:\\n    chunks.append(b\\"x\\" * (8 * 1024 * 1024))\\n"',
      '    st.session_state.child = subprocess.Popen([sys.executable, "-c", hog])',
      'st.write("spawned")',
      '',
    ].join('\n'),
  });
  const app = await insertApp(context, { name: 'spawner', repoUrl: git.repoUrl('spawner') });
  await context.db.update(schema.apps).set({ memoryMb: 256 }).where(eq(schema.apps.id, app.appId));
  const deploymentId = await insertDeployment(context, app);
  await queues.enqueueBuild({ deploymentId });
  expect((await waitForFinished(context, deploymentId)).status).toBe('running');

  const port = await waitForRunningPort(app.appId, deploymentId);
  await startScriptRun(port);
  const line = await waitFor(
    async () =>
      (await readLogLines(context.db, deploymentId, 'runtime'))
        .map((logLine) => logLine.line)
        .find((text) => text.startsWith('Cove: A process of your app ran out of memory')),
    { timeoutMs: 60_000, intervalMs: 250, description: 'the out-of-memory line in the runtime log' },
  );
  expect(line).toMatch(/its limit is 256 MB\. Make it use less memory or raise the limit in Settings\.$/);
  const row = await readApp(context, app.appId);
  expect(row).toMatchObject({ status: 'running', crashCount: 0 });
  expect(row.statusMessage).toBe(line.replace(/^Cove: /, ''));
  expect(await health(port)).toBe('ok');
});
