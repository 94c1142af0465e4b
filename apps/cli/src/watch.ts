// Waiting, with a bound, for what the builder does after the API accepted a request: a deployment
// reaching running (or failing), an app waking. Polls the API once a second; a deploy also follows
// its build log as it streams.
import type { DeploymentView } from '@cove/shared/contracts/api';
import type { AnswerOf, ApiClient } from './client';
import { bodyChunks, readLogLines } from './event-stream';
import { CliError, exitCodes } from './exit-codes';
import type { Output, Progress } from './output';

const pollIntervalMs = 1000;
const logDrainMs = 3000;
const finishedDeployment = new Set<DeploymentView['status']>([
  'running',
  'failed',
  'superseded',
  'cancelled',
]);

export interface WatchOptions {
  timeoutSeconds: number;
  /** Print the build log lines as they come. */
  isFollowingBuildLog: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the deployment is running; throws exit 6 when it ends otherwise. */
export async function watchDeployment(
  client: ApiClient,
  output: Output,
  target: { app: string; deploymentId: string; verb: string },
  options: WatchOptions,
): Promise<DeploymentView> {
  const params = { name: target.app, id: target.deploymentId };
  const progress = output.progress(`${target.verb} ${target.app}: queued`);
  const stopLog = new AbortController();
  const log = options.isFollowingBuildLog
    ? followBuildLog(client, params, progress, stopLog.signal)
    : Promise.resolve();
  try {
    const deployment = await pollDeployment(client, progress, target, options.timeoutSeconds);
    // The build log ends by itself once the build is over; give its last lines a moment to arrive.
    await Promise.race([log, sleep(logDrainMs)]);
    if (deployment.status === 'running') {
      progress.succeed(`${target.app} is running (${versionOf(deployment)})`);
      return deployment;
    }
    progress.fail(`${target.verb} ${target.app}: ${deployment.status}`);
    throw new CliError(
      deployment.errorMessage ?? `The deployment ended ${deployment.status}.`,
      exitCodes.deploymentFailed,
      {},
      { deployment },
    );
  } catch (error) {
    progress.fail(`${target.verb} ${target.app}: stopped waiting`);
    throw error;
  } finally {
    stopLog.abort();
    await log;
  }
}

async function pollDeployment(
  client: ApiClient,
  progress: Progress,
  target: { app: string; deploymentId: string; verb: string },
  timeoutSeconds: number,
): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const { deployment } = await client.call('getDeployment', {
      params: { name: target.app, id: target.deploymentId },
    });
    progress.update(`${target.verb} ${target.app}: ${deployment.status}`);
    if (finishedDeployment.has(deployment.status)) return deployment;
    if (Date.now() > deadline)
      throw new CliError(
        `${target.app}'s deployment is still ${deployment.status} after ${timeoutSeconds} s; it goes on without the CLI: \`cove status ${target.app}\` shows it.`,
        exitCodes.serverOrNetwork,
      );
    await sleep(pollIntervalMs);
  }
}

async function followBuildLog(
  client: ApiClient,
  params: { name: string; id: string },
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  try {
    const response = await client.open('getDeploymentLogs', {
      params,
      query: { stream: 'build', follow: '1' },
      signal,
    });
    for await (const entry of readLogLines(bodyChunks(response.body))) progress.line(entry.line);
  } catch (error) {
    // Stopped on purpose once the deployment finished; any other failure leaves the status polling
    // to tell the outcome, which is what the command answers for.
    if (signal.aborted) return;
    progress.update(`(the build log stopped: ${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Waits until the app is running again after a wake; throws exit 6 when it fails instead. */
export async function watchWake(
  client: ApiClient,
  output: Output,
  appName: string,
  timeoutSeconds: number,
): Promise<AnswerOf<'getApp'>> {
  const progress = output.progress(`Waking ${appName}`);
  const deadline = Date.now() + timeoutSeconds * 1000;
  try {
    for (;;) {
      const app = await client.call('getApp', { params: { name: appName } });
      progress.update(`Waking ${appName}: ${app.status}`);
      if (app.status === 'running') {
        progress.succeed(`${appName} is awake: ${app.url}`);
        return app;
      }
      if (app.status === 'failed' || app.status === 'crashed')
        throw new CliError(
          app.statusMessage ?? `${appName} is ${app.status}.`,
          exitCodes.deploymentFailed,
          {},
          app,
        );
      if (Date.now() > deadline)
        throw new CliError(
          `${appName} is still ${app.status} after ${timeoutSeconds} s: \`cove status ${appName}\` shows it.`,
          exitCodes.serverOrNetwork,
        );
      await sleep(pollIntervalMs);
    }
  } catch (error) {
    progress.fail(`${appName} did not wake`);
    throw error;
  }
}

/** A deployment's commit (abc1234) or uploaded folder (folder 3f9c0a1b2c4d). */
export function versionOf(deployment: Pick<DeploymentView, 'commit' | 'uploadDigest'>): string {
  if (deployment.uploadDigest && !deployment.commit)
    return `folder ${deployment.uploadDigest.replace(/^sha256:/, '').slice(0, 12)}`;
  return shortCommit(deployment.commit);
}

export function shortCommit(commit: string | null): string {
  return commit ? commit.slice(0, 7) : 'no commit yet';
}
