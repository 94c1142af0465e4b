// Rotating the master key: every stored data key (webhook secrets, app secrets) is re-wrapped
// with the new key; the encrypted bodies stay as they are. Run while every process has the new
// key as COVE_MASTER_KEY and the old one as COVE_PREVIOUS_MASTER_KEY, so both read throughout and
// nothing stops. Each row is rewritten only if unchanged since it was read; a second run is a no-op.
import { and, eq } from 'drizzle-orm';
import { webhookSecretPurpose } from '../apps/create';
import type { Database } from '../db/client';
import { apps } from '../db/schema/apps';
import { appSecrets } from '../db/schema/secrets';
import { acmeAccounts, tlsCertificates } from '../db/schema/tls';
import { accountKeyContext, certificateKeyContext } from '../tls/keys';
import { appSecretsPurpose } from './app-secrets';
import { type CipherContext, ciphertextKeyId, DecryptionError, masterKeyId, rewrapValue } from './crypto';

export interface RotationResult {
  rewrapped: number;
  alreadyCurrent: number;
  /** Values neither key opens (named, never shown): left as they are for a person to look at. */
  unreadable: string[];
}

/** The re-wrapped ciphertext, or null (noted in the result) when the previous key cannot open it. */
function rewrapOrNote(
  keys: { previous: string; current: string },
  context: CipherContext,
  ciphertext: string,
  result: RotationResult,
): string | null {
  try {
    return rewrapValue(keys.previous, keys.current, context, ciphertext);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    result.unreadable.push(`${context.purpose} of app ${context.appId}`);
    return null;
  }
}

export async function rotateMasterKey(
  db: Database,
  keys: { previous: string; current: string },
): Promise<RotationResult> {
  const currentId = masterKeyId(keys.current);
  const result: RotationResult = { rewrapped: 0, alreadyCurrent: 0, unreadable: [] };

  const appRows = await db
    .select({ id: apps.id, workspaceId: apps.workspaceId, ciphertext: apps.webhookSecretCiphertext })
    .from(apps);
  for (const row of appRows) {
    if (ciphertextKeyId(row.ciphertext) === currentId) {
      result.alreadyCurrent += 1;
      continue;
    }
    const context = { workspaceId: row.workspaceId, appId: row.id, purpose: webhookSecretPurpose };
    const rewrapped = rewrapOrNote(keys, context, row.ciphertext, result);
    if (rewrapped === null) continue;
    await db
      .update(apps)
      .set({ webhookSecretCiphertext: rewrapped })
      .where(and(eq(apps.id, row.id), eq(apps.webhookSecretCiphertext, row.ciphertext)));
    result.rewrapped += 1;
  }

  const secretRows = await db.select().from(appSecrets);
  for (const row of secretRows) {
    if (row.keyId === currentId && ciphertextKeyId(row.ciphertext) === currentId) {
      result.alreadyCurrent += 1;
      continue;
    }
    const context = { workspaceId: row.workspaceId, appId: row.appId, purpose: appSecretsPurpose };
    const rewrapped = rewrapOrNote(keys, context, row.ciphertext, result);
    if (rewrapped === null) continue;
    await db
      .update(appSecrets)
      .set({ ciphertext: rewrapped, keyId: currentId })
      .where(and(eq(appSecrets.appId, row.appId), eq(appSecrets.ciphertext, row.ciphertext)));
    result.rewrapped += 1;
  }

  // The proxies' certificate keys and the ACME account keys (the builder re-copies them to Redis).
  for (const row of await db.select().from(tlsCertificates)) {
    if (row.keyCiphertext === null) continue;
    if (ciphertextKeyId(row.keyCiphertext) === currentId) {
      result.alreadyCurrent += 1;
      continue;
    }
    const rewrapped = rewrapOrNote(keys, certificateKeyContext(row.host), row.keyCiphertext, result);
    if (rewrapped === null) continue;
    await db
      .update(tlsCertificates)
      .set({ keyCiphertext: rewrapped })
      .where(and(eq(tlsCertificates.host, row.host), eq(tlsCertificates.keyCiphertext, row.keyCiphertext)));
    result.rewrapped += 1;
  }
  for (const row of await db.select().from(acmeAccounts)) {
    if (ciphertextKeyId(row.keyCiphertext) === currentId) {
      result.alreadyCurrent += 1;
      continue;
    }
    const rewrapped = rewrapOrNote(keys, accountKeyContext(row.directoryUrl), row.keyCiphertext, result);
    if (rewrapped === null) continue;
    await db
      .update(acmeAccounts)
      .set({ keyCiphertext: rewrapped })
      .where(
        and(
          eq(acmeAccounts.directoryUrl, row.directoryUrl),
          eq(acmeAccounts.keyCiphertext, row.keyCiphertext),
        ),
      );
    result.rewrapped += 1;
  }
  return result;
}
