// The proxy's route of an app mirrors its status: only lifecycle/ writes it, beside the status it
// follows. The reconciler rebuilds it from Postgres should a write be lost.
import type { Redis } from 'ioredis';
import type { Database } from '../db/client';
import type { AppStatus } from '../db/schema/apps';
import { type RouteEntry, readRoute, removeRoute, writeRoute } from '../routing/route-table';

/** What lifecycle/ works with: the database, the route table, and the instance the routes belong to. */
export interface LifecycleDeps {
  db: Database;
  redis: Redis;
  config: { COVE_INSTANCE: string };
}

/** Where a container answers, for the proxy: its port published on the host's loopback. */
export function upstreamAt(hostPort: number): NonNullable<RouteEntry['upstream']> {
  return { host: '127.0.0.1', port: hostPort };
}

export async function routeTo(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  app: { id: string; name: string },
  status: AppStatus,
  hostPort: number | null = null,
): Promise<void> {
  await writeRoute(deps.redis, deps.config.COVE_INSTANCE, {
    appId: app.id,
    appName: app.name,
    status,
    ...(hostPort === null ? {} : { upstream: upstreamAt(hostPort) }),
  });
}

/** The reconciler's repair: an entry it derived from Postgres. */
export async function restoreRoute(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  entry: RouteEntry,
): Promise<void> {
  await writeRoute(deps.redis, deps.config.COVE_INSTANCE, entry);
}

/** The app is deleted (or its name is no longer one of its own): the proxy stops knowing it. */
export async function forgetRoute(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  appName: string,
): Promise<void> {
  await removeRoute(deps.redis, deps.config.COVE_INSTANCE, appName);
}

/** A rename: the route moves to the new name as it is. */
export async function moveRoute(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  oldName: string,
  newName: string,
): Promise<void> {
  const instance = deps.config.COVE_INSTANCE;
  const current = await readRoute(deps.redis, instance, oldName);
  if (current) await writeRoute(deps.redis, instance, { ...current, appName: newName });
  await removeRoute(deps.redis, instance, oldName);
}
