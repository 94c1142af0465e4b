// Entry point: node --import tsx services/proxy/src/main.ts (or dist/main.js once built).
import { loadConfigOrExit } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { startProxy } from './proxy';

const config = loadConfigOrExit(proxyConfigSchema);
const logger = createLogger('proxy', config.COVE_LOG_LEVEL);

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
