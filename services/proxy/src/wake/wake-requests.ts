// Asks the builder to wake an app, through the queue (the proxy never touches Docker). Every
// replica may ask: the wake job has a fixed id per app, so concurrent asks share one job; this
// replica also asks at most once per interval so a burst of requests costs one Redis call. An ask
// is answered once the app is awake: a visit after it fell asleep again asks at once.
import type { JobQueues } from '@cove/shared/jobs/queues';
import type { Logger } from '@cove/shared/logs/logger';

export interface WakeRequests {
  /** Asks for a wake unless this replica asked within the interval. Never throws. */
  request(appId: string): void;
  /** The app is awake (its route has an upstream): the next request for it asks again at once. */
  answered(appId: string): void;
}

export function createWakeRequests(options: {
  queues: Pick<JobQueues, 'enqueueAppOperation'>;
  logger: Logger;
  /** How long one ask stands before another is sent (a wake that was lost is asked for again). */
  reaskAfterMs?: number;
  now?: () => number;
}): WakeRequests {
  const { queues, logger } = options;
  // Short: an ask lost on the way is sent again by the next request, and a burst still costs a few
  // Redis calls a second (the fixed job id dedups across replicas).
  const reaskAfterMs = options.reaskAfterMs ?? 250;
  const now = options.now ?? Date.now;
  const askedAt = new Map<string, number>();
  return {
    request(appId) {
      const last = askedAt.get(appId);
      if (last !== undefined && now() - last < reaskAfterMs) return;
      askedAt.set(appId, now());
      // Forget old asks so the map does not grow with every app ever woken.
      for (const [id, at] of askedAt) if (now() - at >= reaskAfterMs) askedAt.delete(id);
      queues.enqueueAppOperation({ appId, operation: 'wake' }).catch((error: unknown) => {
        askedAt.delete(appId);
        logger.error({ err: error, appId }, 'could not ask for a wake');
      });
    },
    answered(appId) {
      askedAt.delete(appId);
    },
  };
}
