// The builder process: reads its configuration, starts, and stops cleanly on SIGTERM or SIGINT.
import { loadConfigOrExit } from '@cove/shared/config/load';
import { builderConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { startBuilder } from './builder';

const config = loadConfigOrExit(builderConfigSchema);
const logger = createLogger('builder', config.COVE_LOG_LEVEL);
const starting = startBuilder(config, logger);

let isStopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // Registered before start-up finishes, so a signal during start-up still stops cleanly.
  process.on(signal, () => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'stopping');
    starting
      .then((builder) => builder.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'could not stop cleanly');
          process.exit(1);
        },
      );
  });
}

starting.catch((error: unknown) => {
  logger.fatal({ err: error }, 'the builder could not start');
  process.exit(1);
});
