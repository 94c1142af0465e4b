// Changing an app's settings. Repository, branch, main file and Python version need a new build, so a
// deployment is queued; memory and CPUs restart the live version (health-checked) with the new
// limits; a new name applies at once and the old subdomain keeps redirecting for a grace period;
// idle times (freeze, stop) are read by the builder's next sleep check, replica settings by its
// next scaling check; visibility reaches the proxy at once.
import { and, eq } from 'drizzle-orm';
import { writeAppVisibility } from '../access/private-apps';
import { recordAuditEntry } from '../audit/audit-log';
import { appLimitBounds } from '../config/app-limits';
import type { UpdateAppRequest, UpdateAppResponse } from '../contracts/api';
import { updateAppRequest } from '../contracts/api';
import { parseInput } from '../contracts/validation';
import { isUniqueViolation } from '../db/errors';
import { apps } from '../db/schema/apps';
import { deployments } from '../db/schema/deployments';
import { CoveError } from '../errors';
import { checkGitUrl } from '../git/url-policy';
import { queueDeployment } from '../lifecycle/deployments';
import { user } from '../lifecycle/record';
import { rebuildSource } from '../uploads/deploy';
import { checkMemorySetting } from '../workspaces/limits';
import type { AppsDeps } from './deps';
import { checkNameAvailable, nameTaken } from './names';
import { findApp, getApp } from './queries';
import { moveRoutes, storeRename } from './rename';
import { checkAppRepository } from './repository';
import type { AppRow } from './views';

type Changes = Omit<UpdateAppRequest, 'name' | 'buildFrom'>;

function limitError(field: 'memoryMb' | 'cpus', message: string): CoveError {
  return new CoveError('invalid_input', message, { fields: { [field]: message } });
}

/** A Python version must be one the installation offers, when it lists them (COVE_RUNTIME_IMAGES). */
function checkPythonVersion(deps: AppsDeps, changes: Changes): void {
  const offered = deps.config.COVE_RUNTIME_IMAGES.map((entry) => entry.pythonVersion);
  if (changes.pythonVersion == null || offered.length === 0 || offered.includes(changes.pythonVersion))
    return;
  const choices =
    offered.length === 1 ? offered[0] : `${offered.slice(0, -1).join(', ')} or ${offered.at(-1)}`;
  const message = `Python ${changes.pythonVersion} is not offered here; choose ${choices}.`;
  throw new CoveError('invalid_input', message, { fields: { pythonVersion: message } });
}

/** The resource settings must stay within the operator's maximum (COVE_APP_MAX_*). */
function checkLimits(deps: AppsDeps, changes: Changes): void {
  const limits = appLimitBounds(deps.config);
  if (changes.memoryMb != null && changes.memoryMb > limits.maxMemoryMb) {
    throw limitError(
      'memoryMb',
      `This installation allows at most ${limits.maxMemoryMb} MB of memory per app.`,
    );
  }
  if (changes.cpus != null && changes.cpus > limits.maxCpus) {
    throw limitError('cpus', `This installation allows at most ${limits.maxCpus} CPUs per app.`);
  }
}

/**
 * A new repository URL, branch or main file passes the checks an app's source passes at creation,
 * before anything is saved.
 */
async function checkSourceChanges(deps: AppsDeps, app: AppRow, changes: Changes): Promise<void> {
  if (changes.repoUrl !== undefined) {
    if (app.source === 'upload') {
      const message = `${app.name} deploys uploaded folders: it has no repository to change.`;
      throw new CoveError('invalid_input', message, { fields: { repoUrl: message } });
    }
    if (app.githubInstallationId !== null) {
      const message = `This app deploys ${app.githubRepoFullName ?? 'a repository'} through the GitHub App; its repository cannot be changed. Create a new app for another repository.`;
      throw new CoveError('invalid_input', message, { fields: { repoUrl: message } });
    }
    try {
      await checkGitUrl(changes.repoUrl, {
        allowedSchemes: deps.config.COVE_GIT_ALLOWED_SCHEMES,
        allowPrivateAddresses: deps.config.COVE_GIT_ALLOW_PRIVATE_ADDRESSES,
      });
    } catch (error) {
      if (error instanceof CoveError) {
        throw new CoveError(error.code, error.message, { fields: { repoUrl: error.message } });
      }
      throw error;
    }
  }
  const isSourceChanging =
    changes.repoUrl !== undefined || changes.branch !== undefined || changes.mainFile !== undefined;
  if (!isSourceChanging || app.githubInstallationId !== null || app.source === 'upload') return;
  await checkAppRepository(deps, {
    repoUrl: changes.repoUrl ?? app.repoUrl,
    branch: changes.branch ?? app.branch,
    mainFile: changes.mainFile ?? app.mainFile,
  });
}

async function liveDeploymentOf(deps: AppsDeps, app: AppRow) {
  if (app.liveDeploymentId === null) return null;
  const [row] = await deps.db
    .select({ commitSha: deployments.commitSha, trigger: deployments.trigger })
    .from(deployments)
    .where(
      and(
        eq(deployments.workspaceId, app.workspaceId),
        eq(deployments.appId, app.id),
        eq(deployments.id, app.liveDeploymentId),
      ),
    );
  return row ?? null;
}

/** Only the fields whose value differs from what the app has. */
function changedFields(app: AppRow, request: Changes): Changes {
  const changes: Changes = {};
  if (request.repoUrl !== undefined && request.repoUrl !== app.repoUrl) changes.repoUrl = request.repoUrl;
  if (request.branch !== undefined && request.branch !== app.branch) changes.branch = request.branch;
  if (request.mainFile !== undefined && request.mainFile !== app.mainFile)
    changes.mainFile = request.mainFile;
  if (request.pythonVersion !== undefined && request.pythonVersion !== app.pythonVersion)
    changes.pythonVersion = request.pythonVersion;
  if (request.memoryMb !== undefined && request.memoryMb !== app.memoryMb)
    changes.memoryMb = request.memoryMb;
  if (request.cpus !== undefined && request.cpus !== app.cpus) changes.cpus = request.cpus;
  if (request.freezeAfterSeconds !== undefined && request.freezeAfterSeconds !== app.freezeAfterSeconds)
    changes.freezeAfterSeconds = request.freezeAfterSeconds;
  if (request.stopAfterSeconds !== undefined && request.stopAfterSeconds !== app.stopAfterSeconds)
    changes.stopAfterSeconds = request.stopAfterSeconds;
  if (request.visibility !== undefined && request.visibility !== app.visibility)
    changes.visibility = request.visibility;
  if (request.minReplicas !== undefined && request.minReplicas !== app.minReplicas)
    changes.minReplicas = request.minReplicas;
  if (request.maxReplicas !== undefined && request.maxReplicas !== app.maxReplicas)
    changes.maxReplicas = request.maxReplicas;
  if (request.sessionsPerReplica !== undefined && request.sessionsPerReplica !== app.sessionsPerReplica)
    changes.sessionsPerReplica = request.sessionsPerReplica;
  if (request.previewsEnabled !== undefined && request.previewsEnabled !== app.previewsEnabled)
    changes.previewsEnabled = request.previewsEnabled;
  if (request.previewSecrets !== undefined && request.previewSecrets !== app.previewSecrets)
    changes.previewSecrets = request.previewSecrets;
  return changes;
}

/** The minimum may not pass the maximum, whichever of the two (or both) the request changes. */
function checkReplicaRange(app: AppRow, changes: Changes): void {
  const minReplicas = changes.minReplicas ?? app.minReplicas;
  const maxReplicas = changes.maxReplicas ?? app.maxReplicas;
  if (minReplicas <= maxReplicas) return;
  const field = changes.maxReplicas !== undefined ? 'maxReplicas' : 'minReplicas';
  const message = `The minimum of replicas (${minReplicas}) cannot be more than the maximum (${maxReplicas}).`;
  throw new CoveError('invalid_input', message, { fields: { [field]: message } });
}

function describeNext(
  name: string,
  outcome: {
    isRenamed: boolean;
    oldName: string;
    isRebuilding: boolean;
    isRestarting: boolean;
    hasIdleChanges: boolean;
    hasScalingChanges: boolean;
    hasLiveVersion: boolean;
    visibility: AppRow['visibility'] | undefined;
    previewsEnabled?: boolean | undefined;
    previewSecrets?: boolean | undefined;
  },
  hasOtherChanges: boolean,
  redirectDays: number,
): string {
  const parts: string[] = [];
  if (outcome.isRenamed) {
    parts.push(
      redirectDays > 0
        ? `Renamed to ${name}; the old address (${outcome.oldName}) redirects to the new one for ${redirectDays} days.`
        : `Renamed to ${name}.`,
    );
  }
  if (outcome.isRebuilding) {
    // An app that never went live has no current version to keep serving.
    parts.push(
      outcome.hasLiveVersion
        ? 'These changes need a new build: a deployment is queued, and the current version serves until it is live.'
        : 'These changes need a new build: a deployment is queued.',
    );
  } else if (outcome.isRestarting) {
    parts.push(
      'The running version restarts with the new limits (health-checked: the current container serves until the new one answers).',
    );
  } else if (hasOtherChanges) {
    parts.push('Saved; they apply when the app next starts.');
  }
  if (outcome.hasIdleChanges) {
    parts.push('The new idle times apply from the next sleep check (within seconds).');
  }
  if (outcome.hasScalingChanges) {
    parts.push('The new replica settings apply from the next scaling check (within seconds).');
  }
  if (outcome.visibility === 'private') {
    parts.push(
      'The app is now private: only signed-in members of the workspace and people on its access list can open it.',
    );
  } else if (outcome.visibility === 'public') {
    parts.push('The app is now public: anyone with its address can open it.');
  }
  if (outcome.previewsEnabled === true)
    parts.push(
      'Pull requests to the branch now get a preview (<name>--pr-<number>); the webhook must send pull request events.',
    );
  if (outcome.previewsEnabled === false) parts.push('Pull requests get no previews any more.');
  if (outcome.previewSecrets !== undefined)
    parts.push(
      outcome.previewSecrets
        ? "New previews get the app's secrets: a pull request's code can read them."
        : 'New previews get no secrets.',
    );
  return parts.length > 0 ? parts.join(' ') : 'Nothing changed.';
}

/** actorUserId: who asked (for the audit log; null for the platform itself). */
export async function updateApp(
  deps: AppsDeps,
  workspaceId: string,
  name: string,
  input: unknown,
  actorUserId: string | null = null,
): Promise<UpdateAppResponse> {
  const request = parseInput(updateAppRequest, input);
  const app = await findApp(deps.db, workspaceId, name);
  const changes = changedFields(app, request);
  checkLimits(deps, changes);
  checkPythonVersion(deps, changes);
  checkReplicaRange(app, changes);
  // Awake, the app holds its memory once per replica, at least its minimum of them.
  if (changes.memoryMb !== undefined || changes.minReplicas !== undefined) {
    await checkMemorySetting(
      deps,
      workspaceId,
      app.id,
      changes.memoryMb !== undefined ? changes.memoryMb : app.memoryMb,
      changes.minReplicas ?? app.minReplicas,
      changes.memoryMb === undefined ? 'minReplicas' : 'memoryMb',
    );
  }
  if (app.source === 'upload' && changes.branch !== undefined) {
    throw new CoveError('invalid_input', `${app.name} deploys uploaded folders: it has no branch.`, {
      fields: { branch: 'An app deployed from uploaded folders has no branch.' },
    });
  }
  const isRenaming = request.name !== undefined && request.name !== app.name;
  await checkSourceChanges(deps, app, changes);
  const needsBuild =
    changes.repoUrl !== undefined ||
    changes.branch !== undefined ||
    changes.mainFile !== undefined ||
    changes.pythonVersion !== undefined;
  const needsRestart = !needsBuild && (changes.memoryMb !== undefined || changes.cpus !== undefined);

  const newName = isRenaming ? request.name : undefined;
  if (newName !== undefined) await checkNameAvailable(deps, newName, app.id);

  // Built again from its branch, or its newest uploaded folder (refused before anything is saved).
  const source = needsBuild
    ? await rebuildSource(deps.db, { ...app, branch: changes.branch ?? app.branch })
    : null;
  // What a build would build: the branch head, or (asked for, and the branch unchanged) the live commit.
  const live = needsBuild ? await liveDeploymentOf(deps, app) : null;
  const liveCommit =
    request.buildFrom === 'live' && changes.branch === undefined && changes.repoUrl === undefined
      ? (live?.commitSha ?? null)
      : null;
  if (request.buildFrom === 'live' && needsBuild && liveCommit === null) {
    const message =
      'Only a live version with a known commit, on the same repository and branch, can be rebuilt with the new settings; build the branch head instead.';
    throw new CoveError('invalid_input', message, { fields: { buildFrom: message } });
  }

  let deploymentId: string | null = null;
  try {
    deploymentId = await deps.db.transaction(async (tx) => {
      if (newName !== undefined) {
        await storeRename(tx, app, newName, deps.config.COVE_RENAME_REDIRECT_DAYS);
      }
      if (Object.keys(changes).length === 0) return null;
      await tx
        .update(apps)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, app.id)));
      if (changes.visibility !== undefined) {
        await recordAuditEntry(tx, {
          workspaceId,
          appId: app.id,
          appName: newName ?? app.name,
          actorUserId,
          action: 'access.visibility',
          keyNames: [`${app.visibility} to ${changes.visibility}`],
        });
      }
      if (source === null) return null;
      const deployment = await queueDeployment(
        tx,
        {
          appId: app.id,
          workspaceId,
          trigger: 'manual',
          ...source,
          ...(liveCommit === null ? {} : { commitSha: liveCommit }),
        },
        {
          by: user(actorUserId),
          reason: 'The repository, branch, main file or Python version changed: a new build.',
        },
      );
      return deployment.id;
    });
  } catch (error) {
    if (newName !== undefined && isUniqueViolation(error)) throw nameTaken(newName);
    throw error;
  }
  if (newName !== undefined) await moveRoutes(deps, app, newName);
  if (changes.visibility !== undefined) {
    await writeAppVisibility(deps.redis, deps.config.COVE_INSTANCE, app.id, changes.visibility);
  }
  if (deploymentId !== null) await deps.queues.enqueueBuild({ deploymentId });
  const isRestarting = needsRestart && app.liveDeploymentId !== null;
  if (isRestarting) await deps.queues.enqueueAppOperation({ appId: app.id, operation: 'apply-resources' });

  const currentName = newName ?? app.name;
  const builds =
    deploymentId === null
      ? null
      : liveCommit !== null
        ? `This builds ${liveCommit.slice(0, 7)}, the live version, with the new settings.`
        : live?.trigger === 'rollback' && live.commitSha !== null
          ? `This builds the head of ${changes.branch ?? app.branch}, not ${live.commitSha.slice(0, 7)}, the version a rollback made live.`
          : null;
  const {
    freezeAfterSeconds,
    stopAfterSeconds,
    visibility,
    minReplicas,
    maxReplicas,
    sessionsPerReplica,
    previewsEnabled,
    previewSecrets,
    ...startChanges
  } = changes;
  const hasIdleChanges = freezeAfterSeconds !== undefined || stopAfterSeconds !== undefined;
  const hasScalingChanges =
    minReplicas !== undefined || maxReplicas !== undefined || sessionsPerReplica !== undefined;
  const hasOtherChanges = Object.keys(startChanges).length > 0;
  return {
    app: await getApp(deps, workspaceId, currentName),
    message: describeNext(
      currentName,
      {
        isRenamed: isRenaming,
        oldName: app.name,
        isRebuilding: deploymentId !== null,
        isRestarting,
        hasIdleChanges,
        hasScalingChanges,
        hasLiveVersion: app.liveDeploymentId !== null,
        visibility,
        previewsEnabled,
        previewSecrets,
      },
      hasOtherChanges,
      deps.config.COVE_RENAME_REDIRECT_DAYS,
    )
      .concat(builds === null ? '' : ` ${builds}`)
      .trim(),
    isRebuilding: deploymentId !== null,
    isRestarting,
    deploymentId,
  };
}
