// Every queue job, declared once: its queue, payload, retries and idempotent id. The deployments
// row is written before a build is queued and stays the truth; the job only carries its id.
import { z } from 'zod';

export const buildJobPayload = z.object({ deploymentId: z.uuid() });
export type BuildJobPayload = z.infer<typeof buildJobPayload>;

export const appOperationPayload = z.object({
  appId: z.uuid(),
  operation: z.enum(['reboot', 'reconcile', 'apply-secrets', 'apply-resources', 'sleep', 'wake']),
  /** For a sleep: frozen (paused, memory kept) or stopped (no memory); stopped when absent. */
  depth: z.enum(['frozen', 'stopped']).optional(),
});
export type AppOperationPayload = z.infer<typeof appOperationPayload>;

export const jobs = {
  build: {
    queue: 'builds',
    name: 'build',
    payload: buildJobPayload,
    /** BullMQ refuses ':' in custom ids. */
    jobId: (payload: BuildJobPayload) => `build-${payload.deploymentId}`,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
  appOperation: {
    queue: 'app-operations',
    name: 'app-operation',
    payload: appOperationPayload,
    /** A wake's id is fixed, so every request for a sleeping app shares the one queued wake. */
    jobId: (payload: AppOperationPayload) =>
      payload.operation === 'wake'
        ? `wake-${payload.appId}`
        : `${payload.operation}-${payload.appId}-${Date.now()}`,
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600 },
    },
    /** A wake is not retried (the app shows why it failed) and leaves no job behind, so the next sleep can wake again. */
    wakeOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
  },
} as const;

/** Queue names are namespaced by instance through BullMQ's prefix. */
export function queuePrefix(instance: string): string {
  return `cove-${instance}`;
}
