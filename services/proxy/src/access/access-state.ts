// What the proxy keeps in memory about access: the set of private app ids (so a public app costs
// one Set lookup per request), kept fresh over pub/sub, the apps that just became private and the
// app sessions that ended (sign-out, access taken away), so open WebSockets that no longer pass the
// gate can be closed. After a reconnect the set is reloaded whole.
import { accessKeys, parseEndedMessage } from '@cove/shared/access/app-sessions';
import { privateAppKeys, readPrivateAppIds } from '@cove/shared/access/private-apps';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import { mirrorFromRedis } from '../redis-mirror';

export interface AccessState {
  isPrivate(appId: string): boolean;
  /** Called with the hashes of app sessions that were ended. */
  onSessionsEnded(listener: (sessionHashes: string[]) => void): void;
  /** Called with the id of an app that was public and is now private (confirmed in Redis). */
  onBecamePrivate(listener: (appId: string) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function accessSubscriberName(instance: string): string {
  return `cove-proxy-access-${instance}`;
}

export function createAccessState(options: { redis: Redis; instance: string; logger: Logger }): AccessState {
  const { redis, instance, logger } = options;
  const privateKeys = privateAppKeys(instance);
  const endedChannel = accessKeys(instance).endedChannel;
  let privateAppIds = new Set<string>();
  const endedListeners: Array<(sessionHashes: string[]) => void> = [];
  const madePrivateListeners: Array<(appId: string) => void> = [];

  function announcePrivate(appId: string): void {
    for (const listener of madePrivateListeners) listener(appId);
  }

  async function refresh(appId: string): Promise<void> {
    const isPrivate = (await redis.sismember(privateKeys.set, appId)) === 1;
    if (isPrivate) {
      privateAppIds.add(appId);
      // Announced even if it was private already: only sockets let in as public are closed, and
      // an app private all along has none (or one that slipped in just before the change).
      announcePrivate(appId);
    } else privateAppIds.delete(appId);
  }

  async function reloadAll(): Promise<void> {
    const before = privateAppIds;
    privateAppIds = await readPrivateAppIds(redis, instance);
    logger.info({ privateApps: privateAppIds.size }, 'private apps loaded');
    for (const appId of privateAppIds) if (!before.has(appId)) announcePrivate(appId);
  }

  const mirror = mirrorFromRedis({
    redis,
    connectionName: accessSubscriberName(instance),
    channels: [privateKeys.channel, endedChannel],
    what: 'private apps',
    logger,
    onMessage(channel, message) {
      if (channel === privateKeys.channel) {
        // Until the answer, a newly private app would pass: count it private right away.
        privateAppIds.add(message);
        refresh(message).catch((error: unknown) => {
          logger.error({ err: error, appId: message }, "could not refresh an app's visibility");
        });
      } else if (channel === endedChannel) {
        const hashes = parseEndedMessage(message);
        for (const listener of endedListeners) listener(hashes);
      }
    },
    reloadAll,
  });

  return {
    isPrivate: (appId) => privateAppIds.has(appId),
    onSessionsEnded(listener) {
      endedListeners.push(listener);
    },
    onBecamePrivate(listener) {
      madePrivateListeners.push(listener);
    },
    start: () => mirror.start(),
    stop: () => mirror.stop(),
  };
}
