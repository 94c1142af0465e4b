// Storage of an app's secrets: the TOML sealed under a fresh data key per version (secrets/crypto),
// and reading it back for delivery into the app's container. Every query is scoped by workspace.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { appSecrets } from '../db/schema/secrets';
import { decryptValue, encryptValue, type MasterKeys, masterKeyId } from './crypto';
import { parseSecretsToml, type SecretsTable, secretKeyNames } from './toml';

export const appSecretsPurpose = 'app-secrets';

type Writer = Pick<Database, 'insert'>;

export type AppSecretsRow = typeof appSecrets.$inferSelect;

export interface AppScope {
  workspaceId: string;
  appId: string;
}

/** Seals and stores the TOML (already validated) as the app's next version; returns the row. */
export async function storeAppSecrets(
  writer: Writer,
  masterKey: string,
  scope: AppScope,
  toml: string,
  keyNames: readonly string[],
  updatedBy: string | null,
): Promise<AppSecretsRow> {
  const ciphertext = encryptValue(masterKey, { ...scope, purpose: appSecretsPurpose }, toml);
  const values = {
    ciphertext,
    keyId: masterKeyId(masterKey),
    keyNames: [...keyNames],
    updatedBy,
    updatedAt: new Date(),
  };
  const [row] = await writer
    .insert(appSecrets)
    .values({ ...scope, version: 1, ...values })
    .onConflictDoUpdate({
      target: appSecrets.appId,
      set: { ...values, version: sql`${appSecrets.version} + 1` },
      setWhere: eq(appSecrets.workspaceId, scope.workspaceId),
    })
    .returning();
  if (!row) throw new Error('The secrets belong to another workspace');
  return row;
}

export async function findAppSecretsRow(db: Database, scope: AppScope): Promise<AppSecretsRow | null> {
  const [row] = await db
    .select()
    .from(appSecrets)
    .where(and(eq(appSecrets.workspaceId, scope.workspaceId), eq(appSecrets.appId, scope.appId)));
  return row ?? null;
}

export interface DecryptedSecrets {
  version: number;
  updatedAt: Date;
  toml: string;
  table: SecretsTable;
  keyNames: string[];
}

/** The app's current secrets in the clear, for its container only; null when it has none. */
export async function readAppSecrets(
  db: Database,
  masterKeys: MasterKeys,
  scope: AppScope,
): Promise<DecryptedSecrets | null> {
  const row = await findAppSecretsRow(db, scope);
  if (!row) return null;
  const toml = decryptValue(masterKeys, { ...scope, purpose: appSecretsPurpose }, row.ciphertext);
  const table = parseSecretsToml(toml);
  return { version: row.version, updatedAt: row.updatedAt, toml, table, keyNames: secretKeyNames(table) };
}
