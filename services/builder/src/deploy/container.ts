// Starting one deployment's container with the limits every app runs under, and waiting until
// Streamlit answers. Used by deploys, reboots and the reconciler's restarts alike.
import { type AppLimits, appLimits } from '@cove/shared/config/app-limits';
import type { BuilderConfig } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { eq } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { permanentFailure } from '../failure';
import { appBridgeName } from '../network/firewall-rules';
import { type ContainerInfo, labelKeys, type RunContainerRequest } from '../runtime/types';
import { checkImageOwner } from './deployment-image';
import { scriptErrorSummary, waitForHealth } from './health';
import { type ContainerSecrets, maskSecrets, prepareContainerSecrets } from './secrets-file';

export const appPort = 8501;
export const appUserId = 10001;
const printedLineCount = 40;

/**
 * Named by the app's id, never its name: a name can pass to another app (after a rename), and its
 * build of the same commit would otherwise move the tag. Containers run the image id, not this tag.
 */
export function imageTag(instance: string, appId: string, commitSha: string): string {
  return `cove-${instance}/${appId}:${commitSha}`;
}

/** A suffix tells apart a second container of the same deployment (e.g. with new secrets). */
export function containerName(instance: string, appName: string, deploymentId: string, suffix = ''): string {
  return `cove-${instance}-${appName}-${deploymentId.slice(0, 8)}${suffix ? `-${suffix}` : ''}`;
}

export function appNetworkName(instance: string, appId: string): string {
  return `cove-${instance}-app-${appId}`;
}

export interface DeploymentTarget {
  appId: string;
  appName: string;
  deploymentId: string;
  /** The image's id (`sha256:...`), from deploymentImageId(). */
  imageId: string;
}

export interface StartOptions {
  /** Appended to the container's name, so it can start beside the one it replaces. */
  nameSuffix?: string;
}

function runRequest(
  config: BuilderConfig,
  target: DeploymentTarget,
  secrets: ContainerSecrets,
  options: StartOptions,
  resources: AppLimits,
): RunContainerRequest {
  const instance = config.COVE_INSTANCE;
  return {
    name: containerName(instance, target.appName, target.deploymentId, options.nameSuffix),
    image: target.imageId,
    labels: {
      [labelKeys.instance]: instance,
      [labelKeys.appId]: target.appId,
      [labelKeys.deploymentId]: target.deploymentId,
    },
    // Platform-owned, after the app's own env: turns on /_stcore/script-health-check, which
    // waitForHealth asks so a script that raises on its first run fails its deploy (health.ts).
    // An env var rather than an entrypoint flag so images built before it have it too.
    env: { ...secrets.env, STREAMLIT_SERVER_SCRIPT_HEALTH_CHECK_ENABLED: 'true' },
    network: appNetworkName(instance, target.appId),
    containerPort: appPort,
    userId: appUserId,
    memoryMb: resources.memoryMb,
    cpus: resources.cpus,
    pidsLimit: config.COVE_APP_PIDS_LIMIT,
    tmpfs: {
      '/tmp': 'rw,nosuid,nodev,size=256m,mode=1777',
      '/home/app': `rw,nosuid,nodev,size=64m,uid=${appUserId},gid=${appUserId},mode=0700`,
    },
    readOnlyFiles: secrets.readOnlyFiles,
  };
}

/** The app's own memory and CPU settings, else the platform's defaults, as the app row says now. */
export async function readAppLimits(context: BuilderContext, appId: string): Promise<AppLimits> {
  const [app] = await context.db
    .select({ memoryMb: schema.apps.memoryMb, cpus: schema.apps.cpus })
    .from(schema.apps)
    .where(eq(schema.apps.id, appId));
  return appLimits(context.config, app ?? { memoryMb: null, cpus: null });
}

/**
 * Starts the deployment's container and waits for its health check. On failure the container is
 * removed and a DeployFailure says why, with what the app printed.
 */
export async function startHealthyContainer(
  context: BuilderContext,
  target: DeploymentTarget,
  onProgress: (line: string) => void = () => {},
  options: StartOptions = {},
): Promise<ContainerInfo> {
  const { config, runtime } = context;
  const instance = config.COVE_INSTANCE;
  const networkName = appNetworkName(instance, target.appId);
  await runtime.ensureNetwork(
    networkName,
    { [labelKeys.instance]: instance, [labelKeys.appId]: target.appId },
    {
      // Named by instance, so the app firewall's one rule covers every app network (network/).
      bridgeInterface: appBridgeName(instance, networkName),
      subnets: { range: config.COVE_APP_SUBNETS, subnetBits: config.COVE_APP_SUBNET_BITS },
    },
  );
  await checkImageOwner(context, target);
  const startedAtSeconds = Math.floor(Date.now() / 1000) - 1;
  const secrets = await prepareContainerSecrets(context, target.appId, appUserId);
  const mask = (line: string) => maskSecrets(line, secrets.values);
  const limits = await readAppLimits(context, target.appId);
  const container = await runtime.run(runRequest(config, target, secrets, options, limits));
  context.runtimeLogs.follow(container.id, target.deploymentId, startedAtSeconds, mask);
  onProgress('Container started; waiting for Streamlit to answer its health check.');

  const timeoutSeconds = config.COVE_HEALTH_TIMEOUT_SECONDS;
  const health = await waitForHealth(runtime, container.id, timeoutSeconds * 1000);
  if (health.isHealthy) {
    const running = await runtime.inspect(container.id);
    if (running?.state === 'running' && running.endpoint !== null) return running;
  }
  const tail = await runtime.tailLogs(container.id, printedLineCount);
  const printed = tail.map(mask).join('\n').trim() || '(nothing)';
  await runtime.remove(container.id);
  if (!health.isHealthy && health.isOomKilled) {
    throw permanentFailure(
      `Your app ran out of memory while starting (the limit is ${limits.memoryMb} MB). Streamlit printed:\n${printed}`,
    );
  }
  if (!health.isHealthy && health.reason === 'timeout') {
    throw permanentFailure(
      `Your app did not answer within ${timeoutSeconds} seconds of starting. Streamlit printed:\n${printed}`,
    );
  }
  if (!health.isHealthy && health.reason === 'script-error') {
    throw permanentFailure(
      `Your script raised an error on its first run: ${scriptErrorSummary(tail.map(mask))}. Streamlit printed:\n${printed}`,
    );
  }
  throw permanentFailure(`Your app stopped while starting. Streamlit printed:\n${printed}`);
}
