// Starts and stops the proxy process: its Redis connection, the Fastify app and the listener.
import type { ProxyConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import { Redis } from 'ioredis';
import { buildProxy } from './server';

export interface RunningProxy {
  port: number;
  /** The HTTPS listener's port, when COVE_PROXY_HTTPS_PORT is set. */
  httpsPort: number | null;
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
  let built: Awaited<ReturnType<typeof buildProxy>> | undefined;
  try {
    built = await buildProxy({ config, redis, logger, ...options });
    await built.app.listen({ host: config.COVE_PROXY_HOST, port: config.COVE_PROXY_PORT });
    const { httpsServer } = built;
    if (httpsServer !== null) {
      await new Promise<void>((resolve, reject) => {
        httpsServer.once('error', reject);
        httpsServer.listen({ host: config.COVE_PROXY_HOST, port: config.COVE_PROXY_HTTPS_PORT }, () => {
          httpsServer.off('error', reject);
          resolve();
        });
      });
    }
  } catch (error) {
    await built?.app.close();
    redis.disconnect();
    throw error;
  }
  const { app, httpsServer } = built;
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.COVE_PROXY_PORT;
  const httpsAddress = httpsServer?.address();
  const httpsPort = typeof httpsAddress === 'object' && httpsAddress !== null ? httpsAddress.port : null;
  logger.info(
    { host: config.COVE_PROXY_HOST, port, httpsPort, appsDomain: config.COVE_APPS_DOMAIN },
    'proxy listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    port,
    httpsPort,
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
