// Open sessions (WebSockets) per replica, as the proxies see them, shared through Redis: each proxy
// replica writes its own counts under a key that expires unless refreshed (a proxy that died stops
// counting), the scaler adds them up. Beside them, when each replica last had a session (ZADD GT,
// as activity.ts), so the scaler can tell a replica idle past the app's threshold.
import type { Redis } from 'ioredis';

/** app id -> replica id -> open sessions. */
export type SessionCounts = Map<string, Map<string, number>>;

function keys(instance: string) {
  return {
    proxyPrefix: `cove:${instance}:sessions:proxy:`,
    lastBusy: `cove:${instance}:sessions:last-busy`,
  };
}

function member(appId: string, replicaId: string): string {
  return `${appId}/${replicaId}`;
}

function parseMember(value: string): { appId: string; replicaId: string } | null {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return null;
  return { appId: value.slice(0, slash), replicaId: value.slice(slash + 1) };
}

/** One proxy's counts, replacing what it wrote before; gone after `ttlMs` unless written again. */
export async function publishSessionCounts(
  redis: Redis,
  instance: string,
  proxyId: string,
  counts: SessionCounts,
  { ttlMs, nowMs }: { ttlMs: number; nowMs: number },
): Promise<void> {
  const { proxyPrefix, lastBusy } = keys(instance);
  const key = `${proxyPrefix}${proxyId}`;
  const fields: string[] = [];
  const busy: Array<string | number> = [];
  for (const [appId, replicas] of counts) {
    for (const [replicaId, count] of replicas) {
      if (count <= 0) continue;
      fields.push(member(appId, replicaId), String(count));
      busy.push(nowMs, member(appId, replicaId));
    }
  }
  const transaction = redis.multi().del(key);
  if (fields.length > 0) transaction.hset(key, ...fields).pexpire(key, ttlMs);
  if (busy.length > 0) transaction.zadd(lastBusy, 'GT', ...busy);
  await transaction.exec();
}

/** The sessions of every app's replicas, summed over the proxies alive. */
export async function readSessionCounts(redis: Redis, instance: string): Promise<SessionCounts> {
  const { proxyPrefix } = keys(instance);
  const proxyKeys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${proxyPrefix}*`, 'COUNT', 200);
    cursor = next;
    proxyKeys.push(...found);
  } while (cursor !== '0');
  const counts: SessionCounts = new Map();
  for (const key of proxyKeys) {
    const fields = await redis.hgetall(key);
    for (const [field, value] of Object.entries(fields)) {
      const parsed = parseMember(field);
      const count = Number(value);
      if (!parsed || !Number.isFinite(count)) continue;
      const replicas = counts.get(parsed.appId) ?? new Map<string, number>();
      replicas.set(parsed.replicaId, (replicas.get(parsed.replicaId) ?? 0) + count);
      counts.set(parsed.appId, replicas);
    }
  }
  return counts;
}

/** When each replica last had an open session (ms); replicas never seen busy are absent. */
export async function readReplicaLastBusy(redis: Redis, instance: string): Promise<Map<string, number>> {
  const flat = await redis.zrange(keys(instance).lastBusy, 0, -1, 'WITHSCORES');
  const lastBusy = new Map<string, number>();
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const value = flat[index];
    const score = Number(flat[index + 1]);
    if (value !== undefined && Number.isFinite(score)) lastBusy.set(value, score);
  }
  return lastBusy;
}

/** Starts the idle clock of replicas that have no record yet (just started). */
export async function seedReplicaLastBusy(
  redis: Redis,
  instance: string,
  replicas: readonly { appId: string; replicaId: string }[],
  nowMs: number,
): Promise<void> {
  if (replicas.length === 0) return;
  await redis.zadd(
    keys(instance).lastBusy,
    'NX',
    ...replicas.flatMap((replica) => [nowMs, member(replica.appId, replica.replicaId)]),
  );
}

/** Forgets replicas that no longer run, so the set does not grow with every container ever seen. */
export async function forgetReplicaLastBusy(
  redis: Redis,
  instance: string,
  replicas: readonly { appId: string; replicaId: string }[],
): Promise<void> {
  if (replicas.length === 0) return;
  await redis.zrem(
    keys(instance).lastBusy,
    ...replicas.map((replica) => member(replica.appId, replica.replicaId)),
  );
}

export function replicaKey(appId: string, replicaId: string): string {
  return member(appId, replicaId);
}
