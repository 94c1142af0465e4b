// Entry point: node --import tsx services/proxy/src/main.ts (or dist/main.js once built).
// With COVE_PROXY_WORKERS above 1 this process becomes a node:cluster primary and each worker runs
// the proxy; workers share nothing but the port and Redis (routes, activity, wake jobs).
import cluster from 'node:cluster';
import { loadConfigOrExit } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { runPrimary } from './cluster/primary';
import { serveUntilSignalled } from './cluster/serve';

const config = loadConfigOrExit(proxyConfigSchema);
const logger = createLogger('proxy', config.COVE_LOG_LEVEL);
const workerCount = config.COVE_PROXY_WORKERS;

if (workerCount > 1 && cluster.isPrimary) {
  // A worker's drain is bounded by the proxy's grace period (10 s); this leaves it room to finish.
  runPrimary({ workerCount, logger, stopTimeoutMs: 15_000 });
} else {
  const workerId = cluster.worker?.id;
  await serveUntilSignalled(config, workerId === undefined ? logger : logger.child({ workerId }));
}
