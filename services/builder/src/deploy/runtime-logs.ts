// Follows each live app container's stdout and stderr into its deployment's runtime log. The
// reconciler re-attaches followers after a builder restart, so output is kept while Cove runs.

import type { Database } from '@cove/shared/db/client';
import { appendLogLines, LogWriter } from '@cove/shared/logs/deployment-logs';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import type { RuntimeLogs } from '../context';
import type { ContainerRuntime, LogFollower } from '../runtime/types';

export class RuntimeLogFollowers implements RuntimeLogs {
  private readonly followers = new Map<string, Promise<LogFollower | null>>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly db: Database,
    private readonly redis: Redis,
    private readonly instance: string,
    private readonly logger: Logger,
  ) {}

  isFollowing(containerId: string): boolean {
    return this.followers.has(containerId);
  }

  /**
   * Starts following the container unless it already is; output before `sinceSeconds` is skipped.
   * `mask` rewrites each line before it is kept (it hides the app's secrets).
   */
  follow(
    containerId: string,
    deploymentId: string,
    sinceSeconds: number,
    mask: (line: string) => string = (line) => line,
  ): void {
    if (this.followers.has(containerId)) return;
    const writer = new LogWriter(
      (lines) => appendLogLines(this.db, this.redis, this.instance, deploymentId, 'runtime', lines),
      (error) => this.logger.warn({ err: error, deploymentId }, 'could not store runtime log lines'),
      250,
    );
    const started = this.runtime
      .followLogs(containerId, sinceSeconds, (line) => writer.push(mask(line)))
      .then((follower) => {
        void follower.ended.then(async () => {
          await writer.flush();
          this.followers.delete(containerId);
        });
        return follower;
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, deploymentId }, 'could not follow container output');
        this.followers.delete(containerId);
        return null;
      });
    this.followers.set(containerId, started);
  }

  async stopAll(): Promise<void> {
    const followers = await Promise.all(this.followers.values());
    for (const follower of followers) follower?.stop();
    await Promise.all(followers.map((follower) => follower?.ended));
    this.followers.clear();
  }
}
