// Starts and stops the proxy process: its Redis connection, the Fastify app and the listener.
import type { ProxyConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import { Redis } from 'ioredis';
import { buildProxy } from './server';

export interface RunningProxy {
  port: number;
  /** Stops accepting, lets in-flight requests and WebSockets finish within the grace period, then quits. */
  stop(): Promise<void>;
}

export async function startProxy(
  config: ProxyConfig,
  logger: Logger,
  options: { shutdownGraceMs?: number } = {},
): Promise<RunningProxy> {
  const redis = new Redis(config.COVE_REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', (error) => logger.warn({ error: { message: error.message } }, 'Redis connection error'));
  let app: Awaited<ReturnType<typeof buildProxy>>;
  try {
    app = await buildProxy({ config, redis, logger, ...options });
    await app.listen({ host: config.COVE_PROXY_HOST, port: config.COVE_PROXY_PORT });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.COVE_PROXY_PORT;
  logger.info({ host: config.COVE_PROXY_HOST, port, appsDomain: config.COVE_APPS_DOMAIN }, 'proxy listening');

  let stopping: Promise<void> | undefined;
  return {
    port,
    stop() {
      stopping ??= (async () => {
        await app.close();
        await redis.quit().catch(() => redis.disconnect());
        logger.info('proxy stopped');
      })();
      return stopping;
    },
  };
}
