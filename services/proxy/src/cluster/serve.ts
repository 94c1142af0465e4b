// One proxy process, as it runs alone (one worker) or as a cluster worker: starts the proxy and,
// on SIGTERM or SIGINT, drains it within its bound and exits.
import type { ProxyConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import { startProxy } from '../proxy';

export async function serveUntilSignalled(config: ProxyConfig, logger: Logger): Promise<void> {
  try {
    const proxy = await startProxy(config, logger);
    const shutdown = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping');
      proxy.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  } catch (error) {
    logger.fatal({ err: error }, 'proxy failed to start');
    process.exit(1);
  }
}
