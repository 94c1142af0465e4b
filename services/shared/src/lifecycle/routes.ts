// The proxy's route of an app mirrors its status: only lifecycle/ writes it, beside the status it
// follows. The reconciler rebuilds it from Postgres should a write be lost.
import type { Redis } from 'ioredis';
import type { Database } from '../db/client';
import type { AppStatus } from '../db/schema/apps';
import {
  type ReplicaEndpoint,
  type RouteEntry,
  readRoute,
  removeRoute,
  writeRoute,
} from '../routing/route-table';

/** What lifecycle/ works with: the database, the route table, and the instance the routes belong to. */
export interface LifecycleDeps {
  db: Database;
  redis: Redis;
  config: { COVE_INSTANCE: string };
}

/**
 * Where an app instance answers, for the proxy: on one host its port published on the loopback, on a
 * cluster its task's address on the app's network (the runtime's ContainerInfo.endpoint).
 */
export type Endpoint = NonNullable<RouteEntry['upstream']>;

/** A container serving the app: one replica of its live deployment. */
export interface ServingContainer {
  id: string;
  endpoint: Endpoint;
  /** The machine it runs on (the engine's host name; a swarm node's). */
  node: string;
}

/**
 * A replica's name in the route and in a viewer's pin: the engine's id, shortened (still 48 random
 * bits, so a viewer cannot guess another; the proxy accepts only ids that are live anyway).
 */
export function replicaIdOf(containerId: string): string {
  return containerId.slice(0, 12);
}

export function replicaEndpoints(serving: readonly ServingContainer[]): ReplicaEndpoint[] {
  return serving.map((container) => ({
    id: replicaIdOf(container.id),
    host: container.endpoint.host,
    port: container.endpoint.port,
    node: container.node,
  }));
}

/** The route of an app: its status and, when it serves, every replica (the first also as `upstream`). */
export function routeEntryFor(
  app: { id: string; name: string },
  status: AppStatus,
  serving: readonly ServingContainer[] = [],
): RouteEntry {
  const [primary] = serving;
  return {
    appId: app.id,
    appName: app.name,
    status,
    ...(primary === undefined
      ? {}
      : {
          upstream: { host: primary.endpoint.host, port: primary.endpoint.port },
          replicas: replicaEndpoints(serving),
        }),
  };
}

export async function routeTo(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  app: { id: string; name: string },
  status: AppStatus,
  serving: readonly ServingContainer[] = [],
): Promise<void> {
  await writeRoute(deps.redis, deps.config.COVE_INSTANCE, routeEntryFor(app, status, serving));
}

/**
 * A new app: the proxy knows it at once, so its address says "being deployed" from the first
 * second (not "there is no app called ..." until the reconciler's next pass).
 */
export async function routeNewApp(
  deps: Pick<LifecycleDeps, 'redis' | 'config'>,
  app: { id: string; name: string },
): Promise<void> {
  await routeTo(deps, app, 'queued');
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
