// Entry point: node apps/dashboard/dist/server.js (or node --import tsx apps/dashboard/server/main.ts).
// Next's request handler behind a Node HTTP server of Cove's own: `next start` keeps a client's
// X-Forwarded-For, and only here is the connection's peer known. Every request gets the client's
// address in x-cove-client-address (lib/server/client-address.ts) for the per-address limits.
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '@cove/shared/config/load';
import { dashboardConfigSchema } from '@cove/shared/config/schemas';
import {
  type AddressRange,
  parseAddressRange,
  resolveClientAddress,
} from '@cove/shared/limits/client-address';
import { createLogger } from '@cove/shared/logs/logger';
import next from 'next';
import { clientAddressHeader, markStartedByDashboardServer } from '../lib/server/client-address';

const stopTimeoutMs = 10_000;
// As `next start` does: React and Next pick their production code by it.
Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV || 'production' });

const config = loadConfigOrExit(dashboardConfigSchema);
const logger = createLogger('dashboard', config.COVE_LOG_LEVEL);
const trustedProxies = config.COVE_DASHBOARD_TRUSTED_PROXIES.map(parseAddressRange).filter(
  (range): range is AddressRange => range !== null,
);

// server/ and dist/ both sit directly in the dashboard's folder.
markStartedByDashboardServer();
const dashboardDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const app = next({
  dev: false,
  dir: dashboardDir,
  hostname: config.COVE_DASHBOARD_HOST,
  port: config.COVE_DASHBOARD_PORT,
});
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  const address = resolveClientAddress(
    request.socket.remoteAddress,
    request.headers['x-forwarded-for'],
    trustedProxies,
  );
  if (address === null) delete request.headers[clientAddressHeader];
  else request.headers[clientAddressHeader] = address;
  handle(request, response).catch((error: unknown) => {
    logger.error({ err: error, url: request.url }, 'request failed');
    if (!response.headersSent) response.writeHead(500);
    response.end();
  });
});

server.listen(config.COVE_DASHBOARD_PORT, config.COVE_DASHBOARD_HOST, () => {
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : config.COVE_DASHBOARD_PORT;
  logger.info(
    { host: config.COVE_DASHBOARD_HOST, port, trustedProxies: config.COVE_DASHBOARD_TRUSTED_PROXIES },
    'dashboard listening',
  );
});

async function stop(signal: string): Promise<void> {
  logger.info({ signal }, 'dashboard stopping');
  const deadline = setTimeout(() => {
    logger.warn({ stopTimeoutMs }, 'requests still open at the deadline; exiting anyway');
    process.exit(0);
  }, stopTimeoutMs);
  deadline.unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await app.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
