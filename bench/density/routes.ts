// The proxy's cost of a large route table: a proxy of its own (an instance name no builder
// reconciles, so nothing prunes the made-up routes) in front of a plain Node server, its p50 at one
// kept-alive connection with one route and with many, in turns. Streamlit itself is not the upstream:
// Tornado's answers wait on the client's delayed ACK (about 40 ms a request on one connection, direct
// or through the proxy alike), which would bury a difference of microseconds.
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '@cove/shared/config/load';
import { proxyConfigSchema } from '@cove/shared/config/schemas';
import { createLogger } from '@cove/shared/logs/logger';
import { removeRoute, writeRoute } from '@cove/shared/routing/route-table';
import type { Redis } from 'ioredis';
import { startProxy } from '../../services/proxy/src/proxy';
import { inBatches, sleep, waitUntil } from '../lib/wait';

/** GET / through the proxy on one kept-alive connection for a while: the p50 in ms. */
async function oneConnectionP50(proxyPort: number, host: string, durationMs: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const timings: number[] = [];
  const deadline = performance.now() + durationMs;
  try {
    do {
      const startedAt = performance.now();
      await new Promise<void>((resolve, reject) => {
        const sent = request(
          { host: '127.0.0.1', port: proxyPort, path: '/', headers: { host }, agent },
          (response) => {
            response.resume();
            response.on('end', () =>
              response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`)),
            );
          },
        );
        sent.on('error', reject);
        sent.end();
      });
      timings.push(performance.now() - startedAt);
    } while (performance.now() < deadline);
  } finally {
    agent.destroy();
  }
  timings.sort((a, b) => a - b);
  return timings[Math.floor(timings.length / 2)] ?? Number.NaN;
}

export async function measureRouteTable(
  env: Record<string, string>,
  redis: Redis,
  runId: string,
  routeCount: number,
): Promise<{ routes: number; oneRouteP50Ms: number[]; manyRoutesP50Ms: number[] }> {
  const instance = `density-routes-${runId}`;
  const upstream = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const config = parseConfig(proxyConfigSchema, { ...env, COVE_INSTANCE: instance, COVE_PROXY_PORT: '0' });
  const proxy = await startProxy(config, createLogger('density-routes', 'error'));
  const appName = 'probe';
  const host = `${appName}.${config.COVE_APPS_DOMAIN}`;
  const names = Array.from({ length: routeCount - 1 }, (_, index) => `route-${index}`);
  const setAll = (write: boolean) =>
    inBatches(names.length, 50, async (index) => {
      const name = names[index] ?? '';
      if (!write) return removeRoute(redis, instance, name);
      return writeRoute(redis, instance, { appId: randomUUID(), appName: name, status: 'sleeping' });
    });
  try {
    await writeRoute(redis, instance, {
      appId: randomUUID(),
      appName,
      status: 'running',
      upstream: { host: '127.0.0.1', port: upstreamPort },
    });
    await waitUntil(
      () =>
        oneConnectionP50(proxy.port, host, 0).then(
          () => true,
          () => undefined,
        ),
      { timeoutMs: 30_000, intervalMs: 100, description: 'the proxy to serve the probe route' },
    );
    await oneConnectionP50(proxy.port, host, 2000); // warm-up: compiled code, a kept-alive upstream
    const oneRouteP50Ms: number[] = [];
    const manyRoutesP50Ms: number[] = [];
    for (let turn = 0; turn < 3; turn++) {
      oneRouteP50Ms.push(await oneConnectionP50(proxy.port, host, 3000));
      await setAll(true);
      await sleep(2000); // the proxy applies each change it hears of
      manyRoutesP50Ms.push(await oneConnectionP50(proxy.port, host, 3000));
      await setAll(false);
      await sleep(2000);
    }
    oneRouteP50Ms.push(await oneConnectionP50(proxy.port, host, 3000));
    return { routes: routeCount, oneRouteP50Ms, manyRoutesP50Ms };
  } finally {
    await proxy.stop();
    await new Promise((resolve) => upstream.close(resolve));
    await setAll(false);
    await removeRoute(redis, instance, appName);
  }
}
