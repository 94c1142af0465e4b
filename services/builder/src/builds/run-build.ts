// One build job, start to finish: clone the commit, check the repository, build the image, then
// hand over to the deploy step. Every line goes to the deployment's build log as it comes; every
// step is written to the deployments row, the truth a retry or the reconciler reads.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { appendLogLines, endOfLogMessage, LogWriter, logChannel } from '@cove/shared/logs/deployment-logs';
import type { BuilderContext } from '../context';
import { activateDeployment } from '../deploy/activate';
import { imageTag, startHealthyContainer } from '../deploy/container';
import type { BuildImageResult } from '../runtime/types';
import { type PreparedContext, prepareBuildContext } from './build-context';
import { cloneCommit } from './clone';
import {
  type App,
  type Deployment,
  isInProgress,
  loadDeployment,
  markBuilding,
  markDeploying,
  markFailed,
  markRetrying,
  recordCommit,
  refreshHeartbeat,
  showProgressOnApp,
} from './deployment-state';
import { contextLayout, excludedContextPaths } from './dockerfile';
import { DeployFailure, permanentFailure, shortSha, transientFailure } from './failure';
import { explainAptFailure, explainInstallFailure } from './install-failure';
import { checkMainFile } from './repository-checks';

export type BuildOutcome = 'deployed' | 'skipped' | 'outdated';

function explainBuildFailure(
  result: Extract<BuildImageResult, { isSuccess: false }>,
  { plan }: PreparedContext,
) {
  const explained =
    (plan.packagesTxt === null
      ? null
      : explainAptFailure(plan.packagesTxt.file, plan.packagesTxt.content, result.lines)) ??
    (plan.python === null ? null : explainInstallFailure(plan.python, result.lines));
  if (explained !== null) {
    return explained.isAuthorsMistake
      ? permanentFailure(explained.message)
      : transientFailure(explained.message);
  }
  const lastLines = result.lines.slice(-15).join('\n');
  const isCommandFailure = /returned a non-zero code/.test(result.errorMessage);
  return new DeployFailure(`The image build failed: ${result.errorMessage}\n${lastLines}`, isCommandFailure);
}

async function buildAndDeploy(
  context: BuilderContext,
  app: App,
  deployment: Deployment,
  log: (line: string) => void,
  workDir: string,
): Promise<BuildOutcome> {
  const { config, db, runtime } = context;
  await showProgressOnApp(db, app, 'building', 'Building the app.');
  log(`Cloning ${app.repoUrl} (branch ${deployment.branch})`);
  const repoDir = path.join(workDir, contextLayout.repository);
  const commit = await cloneCommit({
    repoUrl: app.repoUrl,
    branch: deployment.branch,
    commitSha: deployment.commitSha,
    directory: repoDir,
    policy: {
      allowedSchemes: config.COVE_GIT_ALLOWED_SCHEMES,
      allowPrivateAddresses: config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES,
    },
    timeoutMs: config.COVE_CLONE_TIMEOUT_SECONDS * 1000,
  });
  await recordCommit(db, deployment.id, commit);
  log(`Commit ${shortSha(commit.sha)}: ${commit.message} (${commit.author})`);
  await checkMainFile(repoDir, app.mainFile, { sha: commit.sha, branch: deployment.branch });

  const prepared = await prepareBuildContext(context, { contextDir: workDir, mainFile: app.mainFile, log });

  const tag = imageTag(config.COVE_INSTANCE, app.name, commit.sha);
  const timeoutSeconds = config.COVE_BUILD_TIMEOUT_SECONDS;
  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  let built: BuildImageResult;
  try {
    built = await runtime.buildImage({
      contextDir: workDir,
      dockerfile: contextLayout.dockerfile,
      excludedPaths: excludedContextPaths,
      tag,
      labels: { 'cove.instance': config.COVE_INSTANCE, 'cove.app-id': app.id },
      onLine: log,
      signal,
    });
  } catch (error) {
    if (signal.aborted)
      throw transientFailure(`The build took longer than ${timeoutSeconds} seconds and was stopped.`);
    throw error;
  }
  if (!built.isSuccess) throw explainBuildFailure(built, prepared);

  await markDeploying(db, deployment.id, tag);
  await showProgressOnApp(db, app, 'deploying', 'Starting the new version.');
  log(`Built ${tag}. Starting it.`);
  const target = { appId: app.id, appName: app.name, deploymentId: deployment.id, imageTag: tag };
  const container = await startHealthyContainer(context, target, log);
  const outcome = await activateDeployment(context, { ...target, container });
  if (outcome === 'live') log('The new version is live.');
  if (outcome === 'outdated') log('A newer version went live meanwhile; this one was not switched to.');
  return outcome === 'live' ? 'deployed' : outcome === 'outdated' ? 'outdated' : 'skipped';
}

export interface BuildAttempt {
  isLastAttempt: boolean;
}

/**
 * Runs the build job for a deployment. Throws a permanent DeployFailure for the author's
 * mistakes (the worker turns it into a job that is not retried) and anything else to retry.
 */
export async function runBuild(
  context: BuilderContext,
  deploymentId: string,
  attempt: BuildAttempt,
): Promise<BuildOutcome> {
  const { config, db, redis, logger } = context;
  const loaded = await loadDeployment(db, deploymentId);
  if (!loaded || !isInProgress(loaded.deployment.status)) return 'skipped';
  if (!(await markBuilding(db, deploymentId))) return 'skipped';

  const writer = new LogWriter(
    (lines) => appendLogLines(db, redis, config.COVE_INSTANCE, deploymentId, 'build', lines),
    (error) => logger.warn({ err: error, deploymentId }, 'could not store build log lines'),
  );
  const heartbeatMs = Math.max(1000, (config.COVE_BUILD_STALE_SECONDS * 1000) / 4);
  const heartbeat = setInterval(() => {
    refreshHeartbeat(db, deploymentId).catch((error: unknown) =>
      logger.warn({ err: error, deploymentId }, 'could not refresh the heartbeat'),
    );
  }, heartbeatMs);
  const workDir = path.join(config.COVE_WORK_DIR, deploymentId);
  let willRetry = false;
  try {
    return await buildAndDeploy(context, loaded.app, loaded.deployment, (line) => writer.push(line), workDir);
  } catch (error) {
    const failure =
      error instanceof DeployFailure
        ? error
        : transientFailure(
            `Something went wrong on Cove's side: ${error instanceof Error ? error.message : error}`,
          );
    if (failure.isPermanent) logger.info({ deploymentId, reason: failure.message }, 'build failed');
    else logger.warn({ err: error, deploymentId }, 'build failed; it may be retried');
    writer.push(`Error: ${failure.message}`);
    await writer.flush();
    if (failure.isPermanent || attempt.isLastAttempt) {
      await markFailed(db, deploymentId, failure.message);
    } else {
      writer.push('Cove will try again shortly.');
      await markRetrying(db, deploymentId);
      willRetry = true;
    }
    throw failure;
  } finally {
    clearInterval(heartbeat);
    await writer.flush();
    if (!willRetry) await redis.publish(logChannel(config.COVE_INSTANCE, deploymentId), endOfLogMessage);
    await rm(workDir, { recursive: true, force: true });
  }
}
