// Producers' side of the job catalogue: what the dashboard (and tests) use to enqueue work.
import { type JobState, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type AppOperationPayload, type BuildJobPayload, jobs, queuePrefix } from './catalogue';

export interface JobQueues {
  enqueueBuild(payload: BuildJobPayload): Promise<void>;
  /**
   * Adds the build's job unless Redis holds one that will still run (waiting, delayed, or active
   * under a live worker's lock); one that finished, failed or lost its worker is replaced. True when
   * it had to be added.
   */
  ensureBuildQueued(payload: BuildJobPayload): Promise<boolean>;
  enqueueAppOperation(payload: AppOperationPayload): Promise<void>;
  close(): Promise<void>;
}

/** Job states from which BullMQ runs the job (again) by itself. */
function willStillRun(state: JobState | 'unknown'): boolean {
  return (
    state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children'
  );
}

export function openJobQueues(connection: Redis, instance: string): JobQueues {
  const prefix = queuePrefix(instance);
  const builds = new Queue(jobs.build.queue, { connection, prefix });
  const operations = new Queue(jobs.appOperation.queue, { connection, prefix });
  return {
    async enqueueBuild(payload) {
      const data = jobs.build.payload.parse(payload);
      await builds.add(jobs.build.name, data, { ...jobs.build.options, jobId: jobs.build.jobId(data) });
    },
    async ensureBuildQueued(payload) {
      const data = jobs.build.payload.parse(payload);
      const jobId = jobs.build.jobId(data);
      const job = await builds.getJob(jobId);
      if (job) {
        const state = await job.getState();
        if (willStillRun(state)) return false;
        // Finished, failed (BullMQ fails a job at its second stall) or active under a lapsed lock (its
        // worker died; the stall check would take up to a minute): replaced. A live worker's lock
        // keeps it (0: not removed).
        if (state !== 'unknown' && (await builds.remove(jobId)) === 0) return false;
      }
      await builds.add(jobs.build.name, data, { ...jobs.build.options, jobId });
      return true;
    },
    async enqueueAppOperation(payload) {
      const data = jobs.appOperation.payload.parse(payload);
      await operations.add(jobs.appOperation.name, data, {
        ...(data.operation === 'wake' ? jobs.appOperation.wakeOptions : jobs.appOperation.options),
        jobId: jobs.appOperation.jobId(data),
      });
    },
    async close() {
      await Promise.all([builds.close(), operations.close()]);
    },
  };
}
