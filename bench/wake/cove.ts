// Cove's side of the wake benchmark: a database, Redis prefix and instance of its own, a local git
// forge, the builder and the proxy started in-process from the working tree. Apps are deployed and
// put to sleep as the dashboard does (createApp, the sleep operation on the queue); a visit through
// the proxy wakes them.
import { createApp } from '@cove/shared/apps/create';
import { schema } from '@cove/shared/db/client';
import { readRoute } from '@cove/shared/routing/route-table';
import type { SleepDepth } from '@cove/shared/sleep/wake-state';
import { eq } from 'drizzle-orm';
import { startCoveWorld } from '../lib/cove-world';
import { sleep, waitUntil } from '../lib/wait';
import type { Engine } from './engine';
import { inspect } from './reference';

export interface CoveSide {
  proxyPort: number;
  /** Deploys the app and waits until it runs; answers its container id. */
  deploy(name: string, files: Record<string, string>, timeoutMs: number): Promise<string>;
  /** Puts the app to sleep at depth and waits until its container is paused or stopped. */
  putToSleep(name: string, depth: SleepDepth): Promise<void>;
  /** Waits until the app is awake again (after a measured visit), so the next sleep finds it running. */
  waitAwake(name: string): Promise<void>;
  stop(): Promise<void>;
}

const { apps, deployments } = schema;
const containerStateOf: Record<SleepDepth, string> = { frozen: 'paused', stopped: 'exited' };

export async function startCoveSide(engine: Engine, overrides: Record<string, string>): Promise<CoveSide> {
  const world = await startCoveWorld('wake-bench', overrides);
  const { context, git: forge, proxyPort, deps, stop } = world;
  const jobQueues = deps.queues;

  async function readApp(name: string) {
    const [row] = await context.db
      .select({ app: apps, live: deployments })
      .from(apps)
      .leftJoin(deployments, eq(deployments.id, apps.liveDeploymentId))
      .where(eq(apps.name, name));
    if (!row) throw new Error(`no app ${name}`);
    return row;
  }

  async function waitRunning(name: string, timeoutMs: number): Promise<string> {
    return waitUntil(
      async () => {
        const { app, live } = await readApp(name);
        if (app.status === 'failed' || app.status === 'crashed') {
          throw new Error(`${name} is ${app.status}: ${app.statusMessage ?? ''}`);
        }
        return app.status === 'running' && live?.containerId ? live.containerId : undefined;
      },
      { timeoutMs, intervalMs: 100, description: `${name} to run` },
    );
  }

  return {
    proxyPort,
    async deploy(name, files, timeoutMs) {
      await forge.createRepo(name, files);
      await createApp(deps, world.workspaceId, {
        name,
        repoUrl: forge.repoUrl(name),
        branch: 'main',
        mainFile: 'streamlit_app.py',
      });
      return waitRunning(name, timeoutMs);
    },
    async putToSleep(name, depth) {
      const { app } = await readApp(name);
      await jobQueues.enqueueAppOperation({ appId: app.id, operation: 'sleep', depth });
      await waitUntil(
        async () => {
          const { app: now, live } = await readApp(name);
          const route = await readRoute(context.redis, context.instance, name);
          if (now.status !== 'sleeping' || route?.status !== 'sleeping' || !live?.containerId)
            return undefined;
          const state = (await inspect(engine, live.containerId)).State.Status;
          return state === containerStateOf[depth] ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50, description: `${name} to be ${depth}` },
      );
      // The proxy hears the route change over pub/sub in this same process: give it a moment.
      await sleep(100);
    },
    async waitAwake(name) {
      await waitRunning(name, 120_000);
    },
    stop,
  };
}
