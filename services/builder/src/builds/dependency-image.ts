// Installs an app's dependencies into an image of their own, in containers fenced like apps: on the
// builds' network (the app firewall covers its bridge: public addresses only), with memory, CPU,
// process, disk and time limits, Python's as the runtime image's unprivileged build user. A
// package built from source runs its own code there. The image is reused while the runtime image,
// the workspace and the dependency files stay the same.
import path from 'node:path';
import type { BuilderContext } from '../context';
import { DeployFailure, permanentFailure, transientFailure } from '../failure';
import { appBridgeName } from '../network/firewall-rules';
import { type InstallStepResult, labelKeys } from '../runtime/types';
import type { DependencyPlan } from './dependencies/types';
import { contextLayout, uvCacheId } from './dockerfile';
import { explainAptFailure, explainInstallFailure } from './install-failure';
import {
  aptCapabilities,
  aptInstallCommand,
  dependencyKey,
  installPaths,
  pythonInstallStep,
} from './install-steps';

/** The runtime image's label naming the user installs run as (runtime-image/Dockerfile). */
export const buildUserLabel = 'cove.build-user';
const buildHome = '/home/cove-build';

/** The one network every build's installs use; containers on it cannot reach each other. */
export function buildNetworkName(instance: string): string {
  return `cove-${instance}-builds`;
}

export function dependencyImageRepository(instance: string, workspaceId: string): string {
  return `cove-${instance}-dependencies/${workspaceId}`;
}

export interface DependencyInstall {
  contextDir: string;
  plan: DependencyPlan;
  appId: string;
  workspaceId: string;
  deploymentId: string;
  /** The runtime image with the app's Python (build-context.ts chose it). */
  runtimeImage: string;
  log: (line: string) => void;
  signal: AbortSignal;
}

function lastLines(lines: readonly string[]): string {
  return lines.slice(-15).join('\n');
}

/** The author-facing failure for an install step that did not succeed. */
function failureOf(
  context: BuilderContext,
  what: string,
  result: Exclude<InstallStepResult, { outcome: 'succeeded' | 'stopped' }>,
  explain: (lines: readonly string[]) => DeployFailure | null,
): DeployFailure {
  const { config } = context;
  switch (result.outcome) {
    case 'out-of-memory':
      return permanentFailure(
        `Installing ${what} used more than the ${config.COVE_BUILD_MEMORY_MB} MB of memory a build may use (COVE_BUILD_MEMORY_MB) and was stopped. Prefer packages with ready-made wheels to ones built from source, or ask the operator for a higher limit.\n${lastLines(result.lines)}`,
      );
    case 'disk-limit':
      return permanentFailure(
        `Installing ${what} wrote more than the ${config.COVE_BUILD_DISK_MB} MB a build may write (COVE_BUILD_DISK_MB) and was stopped. Install fewer or smaller packages, or ask the operator for a higher limit.\n${lastLines(result.lines)}`,
      );
    case 'timed-out':
      return permanentFailure(
        `Installing ${what} took longer than a build may take (${config.COVE_BUILD_TIMEOUT_SECONDS} s, COVE_BUILD_TIMEOUT_SECONDS) and was stopped.`,
      );
    case 'failed':
      return (
        explain(result.lines) ??
        new DeployFailure(
          `Installing ${what} failed (exit code ${result.exitCode}):\n${lastLines(result.lines)}`,
          true,
        )
      );
    default: {
      const unknown: never = result;
      throw new Error(`Unknown install outcome ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The image the app's code is copied onto: the runtime image when there is nothing to install, else
 * the dependency image, installed now unless one with the same key exists.
 */
export async function installDependencies(
  context: BuilderContext,
  install: DependencyInstall,
): Promise<string> {
  const { config, runtime } = context;
  const { plan, log, signal } = install;
  if (plan.aptPackages.length === 0 && plan.python === null) return install.runtimeImage;
  const runtimeImage = await runtime.inspectImage(install.runtimeImage);
  if (runtimeImage === null)
    throw transientFailure(`The runtime image ${install.runtimeImage} is not on this host.`);
  const buildUser = runtimeImage.labels[buildUserLabel];
  if (buildUser === undefined || !/^\d+$/.test(buildUser)) {
    throw transientFailure(
      `The runtime image ${install.runtimeImage} has no build user (label ${buildUserLabel}): it was built before dependencies were installed without root. Build it again from runtime-image/ (infra/local/setup.sh does).`,
    );
  }
  const key = dependencyKey({
    runtimeImageId: runtimeImage.id,
    workspaceId: install.workspaceId,
    aptPackages: plan.aptPackages,
    python: plan.python,
  });
  const repository = dependencyImageRepository(config.COVE_INSTANCE, install.workspaceId);
  const finalTag = key.slice(0, 40);
  const existing = await runtime.inspectImage(`${repository}:${finalTag}`);
  if (existing !== null) {
    log('The dependencies are the same as in an earlier build: reusing their installed image.');
    return `${repository}:${finalTag}`;
  }

  const network = buildNetworkName(config.COVE_INSTANCE);
  await runtime.ensureNetwork(
    network,
    { [labelKeys.instance]: config.COVE_INSTANCE },
    {
      // Named like an app bridge, so the app firewall covers the builds too (network/).
      bridgeInterface: appBridgeName(config.COVE_INSTANCE, network),
      subnets: { range: config.COVE_APP_SUBNETS, subnetBits: config.COVE_APP_SUBNET_BITS },
    },
  );
  const imageLabels = {
    [labelKeys.instance]: config.COVE_INSTANCE,
    [labelKeys.dependenciesOf]: install.appId,
  };
  const limits = {
    network,
    memoryMb: config.COVE_BUILD_MEMORY_MB,
    cpus: config.COVE_BUILD_CPUS,
    pidsLimit: config.COVE_BUILD_PIDS_LIMIT,
    diskLimitMb: config.COVE_BUILD_DISK_MB,
    timeoutSeconds: config.COVE_BUILD_TIMEOUT_SECONDS,
    labels: { [labelKeys.helperOf]: config.COVE_INSTANCE },
    onLine: log,
    signal,
  };
  const stepName = (step: string) =>
    `cove-${config.COVE_INSTANCE}-install-${install.deploymentId.slice(0, 8)}-${step}`;
  const succeeded = (
    result: InstallStepResult,
    what: string,
    explain: (lines: readonly string[]) => DeployFailure | null,
  ) => {
    if (result.outcome === 'stopped') {
      signal.throwIfAborted();
      throw transientFailure(`Installing ${what} was stopped.`);
    }
    if (result.outcome !== 'succeeded') throw failureOf(context, what, result, explain);
    if (result.hadOomKill) {
      log(
        `A process of the install went past the ${config.COVE_BUILD_MEMORY_MB} MB a build may use and was stopped; the install went on without it.`,
      );
    }
    return result.imageId;
  };

  let image = install.runtimeImage;
  const intermediate: string[] = [];
  try {
    if (plan.aptPackages.length > 0) {
      const tag = plan.python === null ? finalTag : `${finalTag}-apt`;
      log(`Installing Debian packages: ${plan.aptPackages.join(' ')}`);
      const result = await runtime.runInstallStep({
        ...limits,
        name: stepName('apt'),
        image,
        command: aptInstallCommand(plan.aptPackages),
        // apt-get needs root; what it runs is Debian's, and it is fenced and limited all the same.
        user: '0:0',
        capabilities: aptCapabilities,
        volumes: [],
        commitAs: { repository, tag, labels: imageLabels },
      });
      const packagesTxt = plan.packagesTxt;
      succeeded(result, 'the Debian packages', (lines) => {
        const explained = packagesTxt && explainAptFailure(packagesTxt.file, packagesTxt.content, lines);
        return explained ? new DeployFailure(explained.message, explained.isAuthorsMistake) : null;
      });
      image = `${repository}:${tag}`;
      if (tag !== finalTag) intermediate.push(image);
    }
    const python = plan.python;
    if (python !== null) {
      const step = pythonInstallStep(python, buildHome, config.COVE_BUILD_CACHE_MAX_MB);
      const result = await runtime.runInstallStep({
        ...limits,
        name: stepName('python'),
        image,
        command: step.command,
        ...(step.workingDir ? { workingDir: step.workingDir } : {}),
        user: `${buildUser}:${buildUser}`,
        capabilities: [],
        volumes: [
          {
            name: uvCacheId(config.COVE_INSTANCE, install.workspaceId),
            containerPath: installPaths.uvCache,
            labels: { [labelKeys.instance]: config.COVE_INSTANCE },
          },
        ],
        copyIn: {
          hostDirectory: path.join(install.contextDir, contextLayout.dependencies),
          containerDirectory: installPaths.dependencies,
          ownerId: Number.parseInt(buildUser, 10),
        },
        commitAs: { repository, tag: finalTag, labels: imageLabels },
      });
      succeeded(result, 'the Python dependencies', (lines) => {
        const explained = explainInstallFailure(python, lines);
        return explained ? new DeployFailure(explained.message, explained.isAuthorsMistake) : null;
      });
    }
  } finally {
    for (const tag of intermediate) await runtime.removeImage(tag);
  }
  await removeOlderDependencyImages(context, install.appId, `${repository}:${finalTag}`);
  return `${repository}:${finalTag}`;
}

/**
 * The app's earlier dependency images go once it has a new one: the app images built on them keep
 * their layers (for a rollback), only the name that offered them for reuse is gone.
 */
async function removeOlderDependencyImages(context: BuilderContext, appId: string, current: string) {
  const { config, runtime, logger } = context;
  try {
    const currentId = await runtime.imageId(current);
    const images = await runtime.listImages({
      [labelKeys.instance]: config.COVE_INSTANCE,
      [labelKeys.dependenciesOf]: appId,
    });
    for (const imageId of images) if (imageId !== currentId) await runtime.removeImage(imageId);
  } catch (error) {
    logger.warn({ err: error, appId }, 'could not remove old dependency images');
  }
}
