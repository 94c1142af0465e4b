// How the wake of an app goes, for the "waking up" page's polls: ready once its route has an
// upstream, failed with the builder's reason when the wake failed, waking otherwise.
import type { RouteEntry } from '@cove/shared/routing/route-table';
import { readWakeFailure } from '@cove/shared/sleep/wake-state';
import type { Redis } from 'ioredis';
import type { WakeStatus } from '../pages/waking';
import type { RouteCache } from '../routing/route-cache';

/** Statuses on the way to serving: keep polling. */
const onTheWay: ReadonlySet<RouteEntry['status']> = new Set([
  'sleeping',
  'waking',
  'queued',
  'building',
  'deploying',
  'running',
]);

export async function readWakeStatus(
  redis: Redis,
  instance: string,
  route: RouteEntry | undefined,
): Promise<WakeStatus> {
  if (!route) return { state: 'failed', message: 'There is no app at this address any more.' };
  if (route.upstream) return { state: 'ready', message: `${route.appName} is awake.` };
  const failure = await readWakeFailure(redis, instance, route.appId);
  if (failure !== null && !['sleeping', 'waking'].includes(route.status)) {
    return { state: 'failed', message: failure };
  }
  if (onTheWay.has(route.status)) return { state: 'waking', message: `${route.appName} is waking up.` };
  return {
    state: 'failed',
    message: `${route.appName} is not running (it is ${route.status}). Its page in the dashboard says why.`,
  };
}

/**
 * The wake status, held while the app is still waking until it gets an upstream or holdMs pass:
 * the page's next poll is answered the moment the app is up.
 */
export async function awaitWakeStatus(
  redis: Redis,
  instance: string,
  routes: Pick<RouteCache, 'get' | 'waitForUpstream'>,
  appName: string,
  holdMs: number,
): Promise<WakeStatus> {
  const status = await readWakeStatus(redis, instance, routes.get(appName));
  if (status.state !== 'waking') return status;
  await routes.waitForUpstream(appName, holdMs);
  return readWakeStatus(redis, instance, routes.get(appName));
}
