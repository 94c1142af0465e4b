// The proxy's route table lives in Redis (rebuildable from Postgres by the reconciler): one hash
// entry per app name, and a pub/sub channel that tells every proxy replica an entry changed.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { appStatuses } from '../db/schema/apps';

/** One process of the app the proxy may send a viewer to; `id` is what a viewer's pin names. */
export const replicaEndpoint = z.object({
  id: z.string().min(1),
  host: z.string(),
  port: z.number().int(),
  /** The machine it runs on (the engine's host name). */
  node: z.string(),
});
export type ReplicaEndpoint = z.infer<typeof replicaEndpoint>;

export const routeEntry = z.object({
  appId: z.uuid(),
  appName: z.string(),
  status: z.enum(appStatuses),
  /** Where the live container answers; absent when nothing serves the app. */
  upstream: z.object({ host: z.string(), port: z.number().int() }).optional(),
  /** Every live replica, the first being `upstream`; absent with no upstream (or from older writers). */
  replicas: z.array(replicaEndpoint).optional(),
  /** Why a failed, crashed or stopped app does not run, in one line for its visitors. */
  reason: z.string().max(300).optional(),
});
export type RouteEntry = z.infer<typeof routeEntry>;

const visitorReasonLength = 200;
const notRunningStatuses: ReadonlySet<string> = new Set(['failed', 'crashed', 'stopped']);

/**
 * The first sentence of the app's status message, for the visitors of an app that does not run
 * (the whole message, with its log lines, is for its developers on the app's page).
 */
export function visitorReason(
  status: RouteEntry['status'],
  statusMessage: string | null,
): string | undefined {
  if (!notRunningStatuses.has(status) || statusMessage === null) return undefined;
  const firstLine = statusMessage.trim().split('\n')[0] ?? '';
  const firstSentence = firstLine.split(/(?<=[.!?])\s/)[0]?.trim() ?? '';
  if (firstSentence === '') return undefined;
  return firstSentence.length > visitorReasonLength
    ? `${firstSentence.slice(0, visitorReasonLength - 1).trimEnd()}…`
    : firstSentence;
}

export function routeKeys(instance: string) {
  return {
    table: `cove:${instance}:routes`,
    channel: `cove:${instance}:routes:changed`,
  };
}

export async function writeRoute(redis: Redis, instance: string, entry: RouteEntry): Promise<void> {
  const keys = routeKeys(instance);
  await redis.hset(keys.table, entry.appName, JSON.stringify(routeEntry.parse(entry)));
  await redis.publish(keys.channel, entry.appName);
}

export async function removeRoute(redis: Redis, instance: string, appName: string): Promise<void> {
  const keys = routeKeys(instance);
  await redis.hdel(keys.table, appName);
  await redis.publish(keys.channel, appName);
}

export async function readRoute(redis: Redis, instance: string, appName: string): Promise<RouteEntry | null> {
  const raw = await redis.hget(routeKeys(instance).table, appName);
  if (raw === null) return null;
  const parsed = routeEntry.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

export async function readAllRoutes(redis: Redis, instance: string): Promise<Map<string, RouteEntry>> {
  const raw = await redis.hgetall(routeKeys(instance).table);
  const routes = new Map<string, RouteEntry>();
  for (const [name, value] of Object.entries(raw)) {
    const parsed = routeEntry.safeParse(JSON.parse(value));
    if (parsed.success) routes.set(name, parsed.data);
  }
  return routes;
}

/** The routes of several apps in one round trip (missing or unreadable ones are left out). */
export async function readRoutes(
  redis: Redis,
  instance: string,
  appNames: readonly string[],
): Promise<Map<string, RouteEntry>> {
  const routes = new Map<string, RouteEntry>();
  if (appNames.length === 0) return routes;
  const raw = await redis.hmget(routeKeys(instance).table, ...appNames);
  appNames.forEach((name, index) => {
    const value = raw[index];
    if (value === null || value === undefined) return;
    const parsed = routeEntry.safeParse(JSON.parse(value));
    if (parsed.success) routes.set(name, parsed.data);
  });
  return routes;
}
