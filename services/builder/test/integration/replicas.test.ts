// Replicas of one app end to end with a real engine: the builder (swap, reconciler, scaler) and the
// proxy (pins, session counts) on one Redis. 20 sessions of a Streamlit app that counts in
// st.session_state, each speaking Streamlit's own WebSocket protocol: each keeps its state across
// a reconnect (same process), they spread over both replicas, more replicas start when sessions
// pass the setting and an idle one stops, and a killed replica's viewers reach the other.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { createLogger } from '@cove/shared/logs/logger';
import { readRoute } from '@cove/shared/routing/route-table';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type RunningProxy, startProxy } from '../../../proxy/src/proxy';
import { replicaPinCookieName } from '../../../proxy/src/routing/replica-pin';
import { type ProxyResponse, send } from '../../../proxy/test/integration/client';
import {
  type AppFixture,
  type BuilderWorld,
  buildAndWait,
  insertApp,
  readApp,
  runPythonAsApp,
  startBuilderWorld,
  stopBuilderWorld,
} from './fixture';

const run = promisify(execFile);
const sessionCount = 20;
const replicaIdleSeconds = 4;
let world: BuilderWorld;
let proxy: RunningProxy;
let app: AppFixture;
let rerun: Buffer;
const host = 'twins.localhost';

const appSource = `import socket
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

st.session_state.count = st.session_state.get("count", 0) + 1
pinned = "cove_replica" in st.context.headers.get("Cookie", "")
st.write(f"COUNT={st.session_state.count} SID={get_script_run_ctx().session_id} HOST={socket.gethostname()} PIN={pinned} END")
`;

beforeAll(async () => {
  world = await startBuilderWorld({ COVE_RECONCILE_INTERVAL_SECONDS: '1', COVE_ACTIVITY_FLUSH_MS: '200' });
  const proxyConfig = parseConfig(proxyConfigSchema, { ...world.context.env, COVE_PROXY_PORT: '0' });
  proxy = await startProxy(
    proxyConfig,
    createLogger('proxy-test', world.context.env.COVE_LOG_LEVEL ?? 'warn'),
  );
  await world.git.createRepo('twins', { 'app.py': appSource });
  app = await insertApp(world.context, { name: 'twins', repoUrl: world.git.repoUrl('twins') });
  await world.context.db
    .update(schema.apps)
    .set({ minReplicas: 2, maxReplicas: 3, sessionsPerReplica: 20, freezeAfterSeconds: replicaIdleSeconds })
    .where(eq(schema.apps.id, app.appId));
  const { deployment } = await buildAndWait(world, app);
  if (deployment.status !== 'running') throw new Error(`the deploy failed: ${deployment.errorMessage}`);
  // Streamlit's "run the script" message, as its own protobuf classes write it.
  const hex = await runPythonAsApp(
    deployment.containerId ?? '',
    "import sys\nfrom streamlit.proto.BackMsg_pb2 import BackMsg\nm = BackMsg()\nm.rerun_script.query_string = ''\nsys.stdout.write(m.SerializeToString().hex())",
  );
  rerun = Buffer.from(hex.trim(), 'hex');
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  await stopBuilderWorld(world);
});

interface Viewer {
  cookie: string;
  sessionId: string | null;
  socket: WebSocket | null;
}

interface RunSeen {
  count: number;
  sessionId: string;
  host: string;
  /** The app saw the proxy's pin among its request's cookies (it never should). */
  hasPin: boolean;
}

/** The pin's `name=value` among an answer's Set-Cookie headers, if any. */
function pinOf(setCookie: string | string[] | undefined): string | null {
  const values = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  const pin = values.find((value) => value.startsWith(`${replicaPinCookieName}=`));
  return pin?.split(';')[0] ?? null;
}

/** The viewer's page load: the proxy pins it to a replica with a cookie. */
async function loadPage(): Promise<Viewer> {
  const page = await send(proxy.port, host, '/');
  expect(page.status).toBe(200);
  const cookie = pinOf(page.headers['set-cookie']);
  if (!cookie) throw new Error('the page came without a replica pin');
  return { cookie, sessionId: null, socket: null };
}

/** Opens the viewer's WebSocket (resuming its session when it has one), runs the script, reads what it wrote. */
function connect(viewer: Viewer): Promise<RunSeen> {
  return new Promise((resolve, reject) => {
    const protocols = [
      'streamlit',
      'PLACEHOLDER_AUTH_TOKEN',
      ...(viewer.sessionId ? [viewer.sessionId] : []),
    ];
    const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/_stcore/stream`, protocols, {
      headers: { host, cookie: viewer.cookie },
    });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no script run seen within 30 s'));
    }, 30_000);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // A new pin comes with the 101 when the old one named a replica that is gone.
    socket.once('upgrade', (response) => {
      const pin = response.headers['set-cookie']?.find((value) =>
        value.startsWith(`${replicaPinCookieName}=`),
      );
      if (pin) viewer.cookie = pin.split(';')[0] ?? viewer.cookie;
    });
    socket.once('open', () => socket.send(rerun));
    socket.on('message', (data: Buffer) => {
      const match = /COUNT=(\d+) SID=([\w-]+) HOST=(\w+) PIN=(\w+) END/.exec(data.toString('latin1'));
      if (!match) return;
      clearTimeout(timer);
      viewer.socket = socket;
      viewer.sessionId = match[2] ?? null;
      resolve({
        count: Number(match[1]),
        sessionId: match[2] ?? '',
        host: match[3] ?? '',
        hasPin: match[4] !== 'False',
      });
    });
  });
}

function disconnect(viewer: Viewer): Promise<void> {
  const socket = viewer.socket;
  viewer.socket = null;
  if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}

async function routedReplicaIds(): Promise<string[]> {
  const route = await readRoute(world.context.redis, world.context.instance, app.name);
  return (route?.replicas ?? []).map((replica) => replica.id);
}

function waitForReplicaCount(count: number, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const [ids, row] = await Promise.all([routedReplicaIds(), readApp(world.context, app.appId)]);
      return ids.length === count && row.replicaCount === count ? ids : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `${count} replicas routed` },
  );
}

const viewers: Viewer[] = [];
const hostOf = new Map<Viewer, string>();

test('the deploy starts the minimum of replicas; 20 sessions spread over both and keep their state across a reconnect', async () => {
  const replicaIds = await waitForReplicaCount(2);
  for (let index = 0; index < sessionCount; index += 1) {
    const viewer = await loadPage();
    const first = await connect(viewer);
    expect(first.count).toBe(1);
    expect(first.hasPin).toBe(false);
    // Docker names a container's host by its short id, which is the replica's id in the route.
    expect(replicaIds).toContain(first.host);
    hostOf.set(viewer, first.host);
    viewers.push(viewer);
  }
  const perReplica = replicaIds.map((id) => [...hostOf.values()].filter((seen) => seen === id).length);
  expect(perReplica.every((count) => count > 0)).toBe(true);

  for (const viewer of viewers) {
    const before = viewer.sessionId;
    await disconnect(viewer);
    const again = await connect(viewer);
    expect(again).toEqual({ count: 2, sessionId: before, host: hostOf.get(viewer), hasPin: false });
  }
}, 240_000);

test('more sessions per replica than the setting start another replica; an idle one stops after the threshold', async () => {
  // 20 open sessions at 5 per replica want 4: the maximum, 3, start.
  await world.context.db
    .update(schema.apps)
    .set({ sessionsPerReplica: 5 })
    .where(eq(schema.apps.id, app.appId));
  const three = await waitForReplicaCount(3);
  // The sessions stay pinned where they are: the new replica has none, and it stops once idle,
  // with the setting back up so the sessions need only two.
  await world.context.db
    .update(schema.apps)
    .set({ sessionsPerReplica: 20 })
    .where(eq(schema.apps.id, app.appId));
  const two = await waitForReplicaCount(2, 60_000);
  const stopped = three.filter((id) => !two.includes(id));
  expect(stopped).toHaveLength(1);
  expect([...hostOf.values()]).not.toContain(stopped[0]);
  // Every session is still where it was.
  for (const viewer of viewers.slice(0, 4)) {
    await disconnect(viewer);
    expect((await connect(viewer)).host).toBe(hostOf.get(viewer));
  }
  // From here on the app must not fall asleep between steps on its own.
  await world.context.db
    .update(schema.apps)
    .set({ freezeAfterSeconds: 600 })
    .where(eq(schema.apps.id, app.appId));
}, 240_000);

test("a killed replica's viewers reach the other one (their session starts again)", async () => {
  const [primary, second] = await routedReplicaIds();
  if (!primary || !second) throw new Error('two replicas were expected');
  const moved = viewers.filter((viewer) => hostOf.get(viewer) === second);
  expect(moved.length).toBeGreaterThan(0);
  await run('docker', ['kill', second]);
  for (const viewer of moved) {
    await disconnect(viewer);
    const seen = await waitFor(
      async () => {
        try {
          const result = await connect(viewer);
          return result.host === second ? undefined : result;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, intervalMs: 300, description: 'the viewer to reach a live replica' },
    );
    expect(seen.host).not.toBe(second);
    expect(seen.count).toBe(1);
  }
  // The viewers of the live replica kept theirs.
  const stayed = viewers.find((viewer) => hostOf.get(viewer) === primary);
  if (stayed) {
    await disconnect(stayed);
    expect((await connect(stayed)).host).toBe(primary);
  }
  // And the reconciler brings the count back.
  await waitForReplicaCount(2);
  for (const viewer of viewers) await disconnect(viewer);
}, 240_000);

test('a reboot replaces every replica health-checked: every request through the proxy is answered', async () => {
  const before = await waitForReplicaCount(2);
  const browsers = await Promise.all(Array.from({ length: 4 }, () => loadPage()));
  let isWatching = true;
  const failures: string[] = [];
  let answered = 0;
  const watchers = browsers.map(async (browser) => {
    while (isWatching) {
      const answer: ProxyResponse = await send(proxy.port, host, '/_stcore/health', {
        headers: { cookie: browser.cookie },
      }).catch((error: unknown) => ({ status: 0, body: String(error), headers: {} }));
      if (answer.status === 200 && answer.body === 'ok') answered += 1;
      else failures.push(`${answer.status}: ${answer.body.slice(0, 80)}`);
      browser.cookie = pinOf(answer.headers['set-cookie']) ?? browser.cookie;
    }
  });
  await world.queues.enqueueAppOperation({ appId: app.appId, operation: 'reboot' });
  const after = await waitFor(
    async () => {
      const ids = await routedReplicaIds();
      return ids.length === 2 && ids.every((id) => !before.includes(id)) ? ids : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, description: 'two fresh replicas routed' },
  );
  // Until the old ones are gone: their drain is part of the swap.
  await waitFor(
    async () => {
      const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=cove.app-id=${app.appId}`]);
      const running = stdout.split('\n').filter((line) => line.trim() !== '');
      return running.length === 2 ? running : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the old replicas to be drained' },
  );
  isWatching = false;
  await Promise.all(watchers);
  expect(after).toHaveLength(2);
  expect(failures).toEqual([]);
  expect(answered).toBeGreaterThan(0);
}, 240_000);

/** The states of the app's containers, as Docker reports them. */
async function containerStates(): Promise<string[]> {
  const { stdout } = await run('docker', [
    'ps',
    '--all',
    '--format',
    '{{.State}}',
    '--filter',
    `label=cove.app-id=${app.appId}`,
  ]);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

test('sleep takes the app to its one kept container, a wake brings back its minimum of replicas', async () => {
  await waitForReplicaCount(2);
  await world.queues.enqueueAppOperation({ appId: app.appId, operation: 'sleep', depth: 'frozen' });
  const asleep = await waitFor(
    async () => {
      const [route, row, states] = await Promise.all([
        readRoute(world.context.redis, world.context.instance, app.name),
        readApp(world.context, app.appId),
        containerStates(),
      ]);
      const isAsleep = row.status === 'sleeping' && route?.replicas === undefined;
      return isAsleep && !states.includes('running') ? states : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'the app asleep' },
  );
  expect(asleep).toEqual(['paused']);
  // A visit wakes it; the replicas beside the kept one start again.
  const page = await send(proxy.port, host, '/_stcore/health');
  expect(page.status).toBe(200);
  await waitForReplicaCount(2);
}, 240_000);
