// Producers' side of the job catalogue: what the dashboard (and tests) use to enqueue work.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type AppOperationPayload, type BuildJobPayload, jobs, queuePrefix } from './catalogue';

export interface JobQueues {
  enqueueBuild(payload: BuildJobPayload): Promise<void>;
  /** Adds the build's job unless Redis still holds it; true when it had to be added. */
  ensureBuildQueued(payload: BuildJobPayload): Promise<boolean>;
  enqueueAppOperation(payload: AppOperationPayload): Promise<void>;
  close(): Promise<void>;
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
      if (await builds.getJob(jobs.build.jobId(data))) return false;
      await builds.add(jobs.build.name, data, { ...jobs.build.options, jobId: jobs.build.jobId(data) });
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
