// What an author does with an app's secrets: list the keys, reveal the TOML, replace it, delete it.
// Each reveal and change is audited (keys only); a change reaches a running app through a
// health-checked restart that the builder does from the same image.
import { and, eq } from 'drizzle-orm';
import { recordAuditEntry } from '../audit/audit-log';
import { masterKeyRing } from '../config/schemas';
import type { ReplaceSecretsResponse, RevealedSecrets, SecretsView } from '../contracts/api';
import { appSecrets } from '../db/schema/secrets';
import { CoveError } from '../errors';
import { findAppSecretsRow, readAppSecrets, storeAppSecrets } from '../secrets/app-secrets';
import { DecryptionError } from '../secrets/crypto';
import { parseSecretsToml, secretKeyNames } from '../secrets/toml';
import type { AppsDeps } from './deps';
import { findApp } from './queries';
import type { AppRow } from './views';

export interface Actor {
  workspaceId: string;
  userId: string;
}

const noSecrets: SecretsView = { keys: [], version: null, updatedAt: null };

export async function getSecretKeys(deps: AppsDeps, workspaceId: string, name: string): Promise<SecretsView> {
  const app = await findApp(deps.db, workspaceId, name);
  const row = await findAppSecretsRow(deps.db, { workspaceId, appId: app.id });
  if (!row) return noSecrets;
  return { keys: row.keyNames, version: row.version, updatedAt: row.updatedAt.toISOString() };
}

/**
 * The app's secrets in the clear, for a person who asked to see them (developer or above: the
 * caller checks the role). Audited with the key names; an app without secrets reveals nothing.
 */
export async function revealSecrets(deps: AppsDeps, actor: Actor, name: string): Promise<RevealedSecrets> {
  const app = await findApp(deps.db, actor.workspaceId, name);
  const scope = { workspaceId: actor.workspaceId, appId: app.id };
  let secrets: Awaited<ReturnType<typeof readAppSecrets>>;
  try {
    secrets = await readAppSecrets(deps.db, masterKeyRing(deps.config), scope);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    // The message names key ids only, never a value.
    throw new CoveError('conflict', `The secrets of ${app.name} cannot be shown: ${error.message}`);
  }
  if (!secrets) return { ...noSecrets, toml: '' };
  await recordAuditEntry(deps.db, {
    ...scope,
    appName: app.name,
    actorUserId: actor.userId,
    action: 'secrets.reveal',
    keyNames: secrets.keyNames,
  });
  return {
    keys: secrets.keyNames,
    version: secrets.version,
    updatedAt: secrets.updatedAt.toISOString(),
    toml: secrets.toml,
  };
}

/** Asks the builder to restart the live version with the current secrets; false if nothing runs. */
async function applyToRunningApp(deps: AppsDeps, app: AppRow): Promise<boolean> {
  if (!app.liveDeploymentId) return false;
  await deps.queues.enqueueAppOperation({ appId: app.id, operation: 'apply-secrets' });
  return true;
}

function restartNote(name: string, isRestarting: boolean): string {
  return isRestarting
    ? `${name} restarts with them (health-checked; the current version serves until the new one answers).`
    : `${name} reads them when it next starts.`;
}

export async function replaceSecrets(
  deps: AppsDeps,
  actor: Actor,
  name: string,
  toml: string,
): Promise<ReplaceSecretsResponse> {
  const app = await findApp(deps.db, actor.workspaceId, name);
  // Validated before anything is written: an invalid document saves nothing.
  const keyNames = secretKeyNames(parseSecretsToml(toml));
  const scope = { workspaceId: actor.workspaceId, appId: app.id };
  const row = await deps.db.transaction(async (tx) => {
    const stored = await storeAppSecrets(
      tx,
      deps.config.COVE_MASTER_KEY,
      scope,
      toml,
      keyNames,
      actor.userId,
    );
    await recordAuditEntry(tx, {
      ...scope,
      appName: app.name,
      actorUserId: actor.userId,
      action: 'secrets.replace',
      keyNames,
    });
    return stored;
  });
  const isRestarting = await applyToRunningApp(deps, app);
  return {
    keys: row.keyNames,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
    isRestarting,
    message: `Saved ${keyNames.length} secret${keyNames.length === 1 ? '' : 's'}. ${restartNote(app.name, isRestarting)}`,
  };
}

export async function deleteSecrets(
  deps: AppsDeps,
  actor: Actor,
  name: string,
): Promise<ReplaceSecretsResponse> {
  const app = await findApp(deps.db, actor.workspaceId, name);
  const removed = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .delete(appSecrets)
      .where(and(eq(appSecrets.workspaceId, actor.workspaceId), eq(appSecrets.appId, app.id)))
      .returning({ keyNames: appSecrets.keyNames });
    const keyNames = rows[0]?.keyNames ?? [];
    if (rows.length > 0) {
      await recordAuditEntry(tx, {
        workspaceId: actor.workspaceId,
        appId: app.id,
        appName: app.name,
        actorUserId: actor.userId,
        action: 'secrets.delete',
        keyNames,
      });
    }
    return rows.length > 0;
  });
  if (!removed) return { ...noSecrets, isRestarting: false, message: `${app.name} has no secrets.` };
  const isRestarting = await applyToRunningApp(deps, app);
  return {
    ...noSecrets,
    isRestarting,
    message: `Removed the secrets. ${restartNote(app.name, isRestarting)}`,
  };
}
