// Cove's proxy as it runs in production (startProxy with its config from the environment), in a
// process of its own, reporting its port to the benchmark and collecting garbage on request.
import { loadConfigOrExit } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { startProxy } from '../../../services/proxy/src/proxy';
import { collectGarbage, onParentMessage, tellParent } from './messages';

const config = loadConfigOrExit(proxyConfigSchema);
const logger = createLogger('proxy', config.COVE_LOG_LEVEL);
const proxy = await startProxy(config, logger, { shutdownGraceMs: 1_000 });

onParentMessage((message) => {
  if (message.type === 'collect-garbage') {
    collectGarbage();
    const memory = process.memoryUsage();
    tellParent({
      type: 'garbage-collected',
      liveHeapKb: Math.round((memory.heapUsed + memory.external) / 1024),
    });
  }
});
process.once('SIGTERM', () => {
  proxy.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
tellParent({ type: 'ready', port: proxy.port });
