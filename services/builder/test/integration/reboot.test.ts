// A reboot of a running app is a health-checked swap: visitors keep getting answers while a fresh
// container starts beside the old one, open tabs are closed only once the route leads to the fresh
// one, and a fresh container that does not start leaves the old one serving, with the reason.
import { connect } from 'node:net';
import { schema } from '@cove/shared/db/client';
import { readRoute } from '@cove/shared/routing/route-table';
import type { TestContext } from '@cove/shared/testing/context';
import { waitFor } from '@cove/shared/testing/wait';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type AppFixture,
  type BuilderWorld,
  buildAndWait,
  containersOf,
  health,
  insertApp,
  readApp,
  readDeployment,
  startBuilderWorld,
  stopBuilderWorld,
} from './fixture';

let world: BuilderWorld | undefined;
let context: TestContext;
let queues: BuilderWorld['queues'];

beforeAll(async () => {
  world = await startBuilderWorld();
  ({ context, queues } = world);
});
afterAll(() => stopBuilderWorld(world));

async function deployApp(
  name: string,
): Promise<{ app: AppFixture; deploymentId: string; containerId: string }> {
  await world?.git.createRepo(name, { 'app.py': 'import streamlit as st\nst.write("rebooting")\n' });
  const app = await insertApp(context, { name, repoUrl: world?.git.repoUrl(name) ?? '' });
  const { deployment } = await buildAndWait({ context, queues }, app);
  expect(deployment.status).toBe('running');
  return { app, deploymentId: deployment.id, containerId: deployment.containerId ?? '' };
}

/**
 * Asks the app's health where its route points, as the proxy would, one request after the other
 * until stopped: counts the answers per port and keeps every one that is not "ok".
 */
function watchThroughRoute(appName: string) {
  let isWatching = true;
  const failures: string[] = [];
  const answersByPort = new Map<number, number>();
  const loop = (async () => {
    while (isWatching) {
      const port = (await readRoute(context.redis, context.instance, appName))?.upstream?.port;
      if (port === undefined) {
        failures.push('no route');
        continue;
      }
      const answer = await health(port).catch((error: unknown) => String(error));
      if (answer === 'ok') answersByPort.set(port, (answersByPort.get(port) ?? 0) + 1);
      else failures.push(`port ${port}: ${answer}`);
    }
  })();
  return {
    answersByPort,
    async stop() {
      isWatching = false;
      await loop;
      return { failures, answersByPort };
    },
  };
}

/**
 * Opens a WebSocket to Streamlit on the port, as a tab does; resolves once open with a promise of
 * where the app's route points right after the container closed it.
 */
function openTab(
  appName: string,
  port: number,
): Promise<{ routePortAfterClose: Promise<number | undefined> }> {
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
      socket.setTimeout(0);
      socket.on('error', () => {});
      const routePortAfterClose = new Promise<number | undefined>((resolveClose) => {
        socket.once('close', () => {
          resolveClose(
            readRoute(context.redis, context.instance, appName).then((route) => route?.upstream?.port),
          );
        });
      });
      resolve({ routePortAfterClose });
    });
  });
}

test('a reboot swaps in a fresh container: every request to the route is answered, the crashes are forgotten', async () => {
  const { app, deploymentId, containerId: firstContainer } = await deployApp('rebooted');
  const firstPort = (await readDeployment(context, deploymentId)).hostPort;
  await context.db.update(schema.apps).set({ crashCount: 2 }).where(eq(schema.apps.id, app.appId));

  const tab = await openTab(app.name, firstPort ?? 0);
  const watch = watchThroughRoute(app.name);
  await waitFor(() => (watch.answersByPort.get(firstPort ?? 0) ?? 0) >= 5, {
    timeoutMs: 10_000,
    description: 'the first container to answer through its route',
  });
  await queues.enqueueAppOperation({ appId: app.appId, operation: 'reboot' });
  const rebooted = await waitFor(
    async () => {
      const row = await readDeployment(context, deploymentId);
      if (row.containerId === firstContainer) return undefined;
      // Done once the old container is drained and gone.
      return (await containersOf(context.instance, deploymentId)).length === 1 ? row : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the reboot to swap in a fresh container' },
  );
  await waitFor(() => (watch.answersByPort.get(rebooted.hostPort ?? 0) ?? 0) >= 5, {
    timeoutMs: 10_000,
    description: 'the fresh container to answer through the route',
  });
  const { failures, answersByPort } = await watch.stop();

  expect({ failed: failures.length, first: failures.slice(0, 3) }).toEqual({ failed: 0, first: [] });
  expect([...answersByPort.keys()].sort()).toEqual([firstPort, rebooted.hostPort].sort());
  expect(rebooted.containerId).not.toBe(firstContainer);
  // The open tab was closed only once the route led to the fresh container, where it reconnects.
  expect(await tab.routePortAfterClose).toBe(rebooted.hostPort);
  expect((await containersOf(context.instance, deploymentId)).map((container) => container.id)).toEqual([
    rebooted.containerId,
  ]);
  expect(await readApp(context, app.appId)).toMatchObject({
    status: 'running',
    statusMessage: null,
    crashCount: 0,
  });
});

test('a reboot whose fresh container does not start leaves the running one serving and says why', async () => {
  const { app, deploymentId, containerId } = await deployApp('unrebootable');
  // A limit saved but not applied yet, too small for Streamlit to start in: only the fresh
  // container runs under it.
  await context.db.update(schema.apps).set({ memoryMb: 24 }).where(eq(schema.apps.id, app.appId));

  await queues.enqueueAppOperation({ appId: app.appId, operation: 'reboot' });
  const refused = await waitFor(
    async () => {
      const row = await readApp(context, app.appId);
      return row.statusMessage ? row : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, description: 'the app to say why it was not rebooted' },
  );
  expect(refused.statusMessage).toMatch(
    /^The app was not rebooted: its new container did not start, so the previous container keeps serving\. Your app ran out of memory while starting \(the limit is 24 MB\)\./,
  );
  expect(refused.status).toBe('running');
  const serving = await readDeployment(context, deploymentId);
  expect(serving.containerId).toBe(containerId);
  expect(await health(serving.hostPort ?? 0)).toBe('ok');
  expect((await readRoute(context.redis, context.instance, app.name))?.upstream?.port).toBe(serving.hostPort);
  expect((await containersOf(context.instance, deploymentId)).map((container) => container.id)).toEqual([
    containerId,
  ]);
});
