// One build job, start to finish: clone the commit, check the repository, install the dependencies
// (fenced: dependency-image.ts), build the image, then hand over to the deploy step. Every line goes to the deployment's build log as it comes; every
// step is written to the deployments row, the truth a retry or the reconciler reads.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CoveError } from '@cove/shared/errors';
import {
  claimBuild,
  failDeployment,
  markRetrying,
  markSuperseded,
  showProgressOnApp,
} from '@cove/shared/lifecycle/deployments';
import { isInProgress } from '@cove/shared/lifecycle/states';
import { appendLogLines, endOfLogMessage, LogWriter, logChannel } from '@cove/shared/logs/deployment-logs';
import { extractArchive, uploadLimits } from '@cove/shared/uploads/archive';
import { readUpload, shortDigest } from '@cove/shared/uploads/deploy';
import type { BuilderContext } from '../context';
import { imageTag } from '../deploy/container';
import { DeployFailure, permanentFailure, shortSha, transientFailure } from '../failure';
import { type BuildImageResult, labelKeys } from '../runtime/types';
import { type AppBuildLock, takeAppBuildLock } from './app-lock';
import { trimBuildCache } from './build-cache';
import { prepareBuildContext, writeDockerfile } from './build-context';
import { stopReasonOf, supersededMessage, watchBuild } from './build-watch';
import { cloneCommit } from './clone';
import { installDependencies } from './dependency-image';
import {
  type App,
  type Deployment,
  findNewerDeployment,
  loadDeployment,
  recordCommit,
  recordPythonVersion,
} from './deployment-state';
import { contextLayout, excludedContextPaths } from './dockerfile';
import { cloneSourceOf } from './github-source';
import { type BuildOutcome, type BuildStep, deployExistingImage, startAndActivate } from './go-live';
import { isCommandFailure } from './install-failure';
import { interruptionLimitMessage, resumeInterruptedBuild } from './interruptions';
import { PhaseClock } from './phase-clock';
import { minorOf } from './python-version';
import { checkMainFile } from './repository-checks';

export type { BuildOutcome } from './go-live';

/** The final build only copies the code (the installs came before): its failure is the engine's. */
function explainBuildFailure(result: Extract<BuildImageResult, { isSuccess: false }>) {
  const lastLines = result.lines.slice(-15).join('\n');
  return new DeployFailure(
    `The image build failed: ${result.errorMessage}\n${lastLines}`,
    isCommandFailure(result.errorMessage),
  );
}

/** Unpacks the deployment's stored folder (checked again: the builder trusts no input) into dir. */
async function unpackUpload(
  context: BuilderContext,
  deployment: Deployment,
  directory: string,
): Promise<void> {
  const archive = await readUpload(context.db, deployment);
  if (archive === null) {
    throw permanentFailure(
      `The uploaded folder ${shortDigest(deployment.uploadDigest ?? '')} is no longer stored (Cove keeps an app's newest few). Deploy the folder again.`,
    );
  }
  await mkdir(directory, { recursive: true });
  try {
    await extractArchive(archive, directory, uploadLimits(context.config));
  } catch (error) {
    if (error instanceof CoveError) throw permanentFailure(error.message);
    throw error;
  }
}

async function buildAndDeploy(
  context: BuilderContext,
  step: BuildStep,
  workDir: string,
): Promise<BuildOutcome> {
  const { config, db, runtime } = context;
  const { app, deployment, log, signal, clock } = step;
  if (deployment.trigger === 'rollback') return deployExistingImage(context, step);
  await showProgressOnApp(db, app, 'building', 'Building the app.');
  const repoDir = path.join(workDir, contextLayout.repository);
  // The source: a commit cloned, or an uploaded folder unpacked where the clone would be; from
  // there on the two build alike.
  let version: string;
  if (deployment.uploadDigest !== null) {
    log(`Unpacking the uploaded folder ${shortDigest(deployment.uploadDigest)}`);
    await unpackUpload(context, deployment, repoDir);
    clock.lap('unpack');
    version = `upload-${deployment.uploadDigest.replace(/^sha256:/, '')}`;
    await checkMainFile(repoDir, app.mainFile, { folder: shortDigest(deployment.uploadDigest) });
  } else {
    log(`Cloning ${app.repoUrl} (branch ${deployment.branch})`);
    const commit = await cloneCommit({
      ...(await cloneSourceOf(config, app)),
      branch: deployment.branch,
      commitSha: deployment.commitSha,
      directory: repoDir,
      timeoutMs: config.COVE_CLONE_TIMEOUT_SECONDS * 1000,
      signal,
    });
    signal.throwIfAborted();
    clock.lap('clone');
    await recordCommit(db, deployment.id, commit);
    log(`Commit ${shortSha(commit.sha)}: ${commit.message} (${commit.author})`);
    await checkMainFile(repoDir, app.mainFile, { sha: commit.sha, branch: deployment.branch });
    version = commit.sha;
  }

  const prepared = await prepareBuildContext(context, {
    contextDir: workDir,
    mainFile: app.mainFile,
    // A rebuild of the live version (deploy/rebuild-missing-image.ts) keeps the Python it ran.
    pythonVersion:
      deployment.trigger === 'rebuild' ? (deployment.pythonVersion ?? app.pythonVersion) : app.pythonVersion,
    log,
  });
  signal.throwIfAborted();
  await recordPythonVersion(db, deployment.id, minorOf(prepared.pythonVersion));
  clock.lap('build context');
  const baseImage = await installDependencies(context, {
    contextDir: workDir,
    plan: prepared.plan,
    appId: app.id,
    workspaceId: app.workspaceId,
    deploymentId: deployment.id,
    runtimeImage: prepared.runtimeImage,
    log,
    signal,
  });
  signal.throwIfAborted();
  clock.lap('dependencies');
  await writeDockerfile(workDir, baseImage, app.mainFile);

  const tag = imageTag(config.COVE_INSTANCE, app.id, version);
  const built = await runtime.buildImage({
    contextDir: workDir,
    dockerfile: contextLayout.dockerfile,
    excludedPaths: excludedContextPaths,
    tag,
    labels: {
      [labelKeys.instance]: config.COVE_INSTANCE,
      [labelKeys.appId]: app.id,
      // Inherited from a dependency image, which this is not.
      [labelKeys.dependenciesOf]: '',
    },
    onLine: log,
    signal,
  });
  signal.throwIfAborted();
  if (!built.isSuccess) throw explainBuildFailure(built);
  clock.lap('image build');
  // The engine reports the id as it builds; if it did not, the tag (this app's alone) names it.
  const imageId = built.imageId.startsWith('sha256:') ? built.imageId : await runtime.imageId(tag);
  if (imageId === null) throw transientFailure(`The built image ${tag} is not on this host.`);
  log(`Built ${tag} (${imageId}). Starting it.`);
  return startAndActivate(context, step, { imageTag: tag, imageId });
}

export interface BuildAttempt {
  isLastAttempt: boolean;
}

/**
 * Runs the build job for a deployment, holding the app's build lock ('busy' when another build of
 * the app holds it). Throws a permanent DeployFailure for the author's mistakes (the worker turns
 * it into a job that is not retried) and anything else to retry.
 */
export async function runBuild(
  context: BuilderContext,
  deploymentId: string,
  attempt: BuildAttempt,
): Promise<BuildOutcome> {
  const { config, db, redis } = context;
  const loaded = await loadDeployment(db, deploymentId);
  if (!loaded || !isInProgress(loaded.deployment.status)) return 'skipped';
  const lock = await takeAppBuildLock(redis, {
    instance: config.COVE_INSTANCE,
    appId: loaded.app.id,
    deploymentId,
    ttlMs: config.COVE_BUILD_STALE_SECONDS * 1000,
  });
  if (lock === null) return 'busy';
  try {
    if (loaded.deployment.status !== 'queued' && (await resumeLastRun(context, deploymentId)) === 'busy') {
      return 'busy';
    }
    return await runLockedBuild(context, { ...loaded, lock }, attempt);
  } finally {
    await lock.release();
    // Once the app's next build may start: the trim is the engine's, not this app's.
    await trimBuildCache(context);
  }
}

/**
 * The job found its row still building or deploying: its last run stopped mid-way (the builder was
 * killed) before the reconciler noticed. Holding the app's lock, the containers of the deployment
 * are that run's; it is taken back as the reconciler would, or failed past the bound.
 */
async function resumeLastRun(context: BuilderContext, deploymentId: string): Promise<'resumed' | 'busy'> {
  const leftovers = await context.runtime.list({
    [labelKeys.instance]: context.config.COVE_INSTANCE,
    [labelKeys.deploymentId]: deploymentId,
  });
  const resumed = await resumeInterruptedBuild(
    context,
    deploymentId,
    leftovers.map((container) => container.id),
  );
  switch (resumed) {
    case 'rebuilding':
      return 'resumed';
    // Its heartbeat is fresh (a builder that lost the app's lock still works on it) or it finished
    // just now: the job looks again shortly.
    case 'not-interrupted':
      return 'busy';
    case 'failed':
      throw permanentFailure(interruptionLimitMessage);
    default: {
      const unknown: never = resumed;
      throw new Error(`Unknown resume outcome ${String(unknown)}`);
    }
  }
}

async function runLockedBuild(
  context: BuilderContext,
  { app, deployment, lock }: { app: App; deployment: Deployment; lock: AppBuildLock },
  attempt: BuildAttempt,
): Promise<BuildOutcome> {
  const { config, db, redis, logger } = context;
  const deploymentId = deployment.id;
  const writer = new LogWriter(
    (lines) => appendLogLines(db, redis, config.COVE_INSTANCE, deploymentId, 'build', lines),
    (error) => logger.warn({ err: error, deploymentId }, 'could not store build log lines'),
  );
  const endLog = async () => {
    await writer.flush();
    await redis.publish(logChannel(config.COVE_INSTANCE, deploymentId), endOfLogMessage);
  };
  const newer = await findNewerDeployment(db, deployment);
  if (newer) {
    const message = supersededMessage(newer, 'queued');
    await markSuperseded(db, deploymentId, message);
    writer.push(message);
    await endLog();
    return 'superseded';
  }
  if (!(await claimBuild(db, deploymentId))) return 'skipped';

  const watch = watchBuild(context, deployment, lock);
  const workDir = path.join(config.COVE_WORK_DIR, deploymentId);
  let willRetry = false;
  try {
    const log = (line: string) => writer.push(line);
    const clock = new PhaseClock(deployment.createdAt);
    return await buildAndDeploy(context, { app, deployment, log, signal: watch.signal, clock }, workDir);
  } catch (error) {
    const stopped = stopReasonOf(watch.signal);
    if (stopped?.kind === 'cancelled') {
      writer.push('The build was stopped: this deployment was cancelled.');
      return 'cancelled';
    }
    if (stopped?.kind === 'superseded') {
      writer.push(stopped.message);
      await markSuperseded(db, deploymentId, stopped.message);
      return 'superseded';
    }
    const failure =
      stopped?.kind === 'timed-out'
        ? permanentFailure(stopped.message)
        : error instanceof DeployFailure
          ? error
          : transientFailure(
              `Something went wrong on Cove's side: ${error instanceof Error ? error.message : error}`,
            );
    if (failure.isPermanent) logger.info({ deploymentId, reason: failure.message }, 'build failed');
    else logger.warn({ err: error, deploymentId }, 'build failed; it may be retried');
    writer.push(`Error: ${failure.message}`);
    await writer.flush();
    if (failure.isPermanent || attempt.isLastAttempt) {
      await failDeployment(db, deploymentId, failure.message);
    } else {
      writer.push('Cove will try again shortly.');
      await markRetrying(db, deploymentId);
      willRetry = true;
    }
    throw failure;
  } finally {
    watch.stop();
    if (willRetry) await writer.flush();
    else await endLog();
    await rm(workDir, { recursive: true, force: true });
  }
}
