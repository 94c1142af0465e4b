// Cove as the deploy and wake benchmarks run it: a database, Redis prefix and instance of its own,
// a local git forge, the builder and the proxy started in-process from the working tree, the
// queues the dashboard would use, and one workspace. stop() removes everything it made, in the
// engine (containers, networks, images, the instance's firewall chains) and on disk.
import { rm } from 'node:fs/promises';
import { parseConfig } from '@cove/shared/config/load';
import { builderConfigSchema, commonConfigSchema, proxyConfigSchema } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { type JobQueues, openJobQueues } from '@cove/shared/jobs/queues';
import { createLogger } from '@cove/shared/logs/logger';
import { createTestContext, type TestContext } from '@cove/shared/testing/context';
import { type GitServer, startGitServer } from '@cove/shared/testing/git-server';
import { type RunningBuilder, startBuilder } from '../../services/builder/src/builder';
import { removeAppFirewall } from '../../services/builder/src/network/firewall';
import { createDockerRuntime } from '../../services/builder/src/runtime/docker';
import { labelKeys } from '../../services/builder/src/runtime/types';
import { type RunningProxy, startProxy } from '../../services/proxy/src/proxy';

export interface CoveWorld {
  context: TestContext;
  git: GitServer;
  proxyPort: number;
  /** What the apps domain functions (createApp, handlePushWebhook) take. */
  deps: {
    db: TestContext['db'];
    redis: TestContext['redis'];
    queues: JobQueues;
    config: ReturnType<typeof commonConfig>;
  };
  workspaceId: string;
  stop(): Promise<void>;
}

function commonConfig(env: Record<string, string>) {
  return parseConfig(commonConfigSchema, env);
}

export async function startCoveWorld(name: string, overrides: Record<string, string>): Promise<CoveWorld> {
  const context = await createTestContext(overrides);
  const logger = createLogger(name, context.env.COVE_LOG_LEVEL ?? 'warn');
  let git: GitServer | undefined;
  let builder: RunningBuilder | undefined;
  let proxy: RunningProxy | undefined;
  let queues: JobQueues | undefined;
  const stop = async () => {
    await queues?.close();
    await builder?.stop();
    await proxy?.stop();
    await git?.close();
    const docker = createDockerRuntime(context.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock');
    const labels = { [labelKeys.instance]: context.instance };
    for (const container of await docker.list(labels)) await docker.remove(container.id);
    for (const network of await docker.listNetworks(labels)) await docker.removeNetwork(network);
    for (const image of await docker.listImages(labels)) await docker.removeImage(image);
    await removeAppFirewall(context.instance);
    if (context.env.COVE_WORK_DIR) await rm(context.env.COVE_WORK_DIR, { recursive: true, force: true });
    await context.close();
  };
  try {
    git = await startGitServer();
    builder = await startBuilder(parseConfig(builderConfigSchema, context.env), logger, { drainMs: 5_000 });
    proxy = await startProxy(
      parseConfig(proxyConfigSchema, { ...context.env, COVE_PROXY_PORT: '0' }),
      logger,
    );
    queues = openJobQueues(context.redis, context.instance);
    const [workspace] = await context.db.insert(schema.workspaces).values({ name }).returning();
    if (!workspace) throw new Error('no workspace inserted');
    return {
      context,
      git,
      proxyPort: proxy.port,
      deps: { db: context.db, redis: context.redis, queues, config: commonConfig(context.env) },
      workspaceId: workspace.id,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
