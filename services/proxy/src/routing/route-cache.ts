// The proxy's in-memory copy of the route table in Redis. A dedicated subscriber connection hears
// which app name changed and re-reads that entry; after a reconnect everything is reloaded, since
// messages published while the subscriber was away are lost.

import type { Logger } from '@cove/shared/logs/logger';
import { type RouteEntry, readAllRoutes, readRoute, routeKeys } from '@cove/shared/routing/route-table';
import type { Redis } from 'ioredis';
import { mirrorFromRedis } from '../redis-mirror';

export interface RouteCache {
  get(appName: string): RouteEntry | undefined;
  /** Resolves with the app's route once it has an upstream (at once if it has), or null after timeoutMs. */
  waitForUpstream(appName: string, timeoutMs: number): Promise<RouteEntry | null>;
  /** Calls listener whenever a route is learned with an upstream (an app deployed or woken). */
  onUpstream(listener: (entry: RouteEntry) => void): void;
  /** Subscribes, then loads every route; resolves once the cache is complete. */
  start(): Promise<void>;
  /** Closes the subscriber connection (the command connection belongs to the caller). */
  stop(): Promise<void>;
}

export function routeSubscriberName(instance: string): string {
  return `cove-proxy-routes-${instance}`;
}

export function createRouteCache(options: { redis: Redis; instance: string; logger: Logger }): RouteCache {
  const { redis, instance, logger } = options;
  const keys = routeKeys(instance);
  let routes = new Map<string, RouteEntry>();
  /** Callers waiting for an app to get an upstream (a wake), by app name. */
  const waiters = new Map<string, Set<(entry: RouteEntry) => void>>();
  const upstreamListeners: ((entry: RouteEntry) => void)[] = [];

  function setRoute(appName: string, entry: RouteEntry): void {
    routes.set(appName, entry);
    if (!entry.upstream) return;
    for (const listener of upstreamListeners) listener(entry);
    const waiting = waiters.get(appName);
    if (!waiting) return;
    waiters.delete(appName);
    for (const resolve of waiting) resolve(entry);
  }

  // Replies on one connection arrive in the order the commands were sent, so applying each reply
  // as it lands keeps the newest answer for every name.
  async function refresh(appName: string): Promise<void> {
    const entry = await readRoute(redis, instance, appName);
    if (entry) setRoute(appName, entry);
    else routes.delete(appName);
  }

  async function reloadAll(): Promise<void> {
    routes = await readAllRoutes(redis, instance);
    for (const [appName, entry] of routes) setRoute(appName, entry);
    logger.info({ routes: routes.size }, 'routes loaded');
  }

  const mirror = mirrorFromRedis({
    redis,
    connectionName: routeSubscriberName(instance),
    channels: [keys.channel],
    what: 'routes',
    logger,
    onMessage(channel, appName) {
      if (channel !== keys.channel) return;
      refresh(appName).catch((error: unknown) => {
        logger.error({ err: error, app: appName }, 'could not refresh a route');
      });
    },
    reloadAll,
  });

  return {
    get: (appName) => routes.get(appName),
    waitForUpstream(appName, timeoutMs) {
      const current = routes.get(appName);
      if (current?.upstream) return Promise.resolve(current);
      return new Promise((resolve) => {
        const waiting = waiters.get(appName) ?? new Set();
        waiters.set(appName, waiting);
        const done = (entry: RouteEntry | null) => {
          clearTimeout(timer);
          waiting.delete(done);
          if (waiting.size === 0 && waiters.get(appName) === waiting) waiters.delete(appName);
          resolve(entry);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        waiting.add(done);
      });
    },
    onUpstream(listener) {
      upstreamListeners.push(listener);
    },
    start: () => mirror.start(),
    stop: () => mirror.stop(),
  };
}
