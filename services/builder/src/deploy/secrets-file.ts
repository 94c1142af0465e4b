// Hands an app's secrets to its container: the decrypted TOML as a host file that only the app's
// user can read, bind-mounted read-only at .streamlit/secrets.toml (never part of an image), and
// the top-level string keys as environment variables. Read from Postgres at every start, so a
// reboot, a recovery and a secrets change all start with the current secrets.
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { masterKeyRing } from '@cove/shared/config/schemas';
import { schema } from '@cove/shared/db/client';
import { readAppSecrets } from '@cove/shared/secrets/app-secrets';
import { DecryptionError } from '@cove/shared/secrets/crypto';
import { type SecretsTable, secretsAsEnvironment } from '@cove/shared/secrets/toml';
import { eq, inArray } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { permanentFailure } from '../failure';

/** Where Streamlit looks for secrets: the app's working directory is /app. */
export const secretsContainerPath = '/app/.streamlit/secrets.toml';

/** Values shorter than this are not masked in logs: they would mask ordinary words. */
const minimumMaskedLength = 6;

export interface ContainerSecrets {
  env: Record<string, string>;
  readOnlyFiles: { hostPath: string; containerPath: string }[];
  /** Every string value, for masking in what the app prints. */
  values: string[];
}

export function secretsDirectory(workDir: string, appId: string): string {
  return path.join(workDir, 'secrets', appId);
}

function stringValues(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') {
    if (value.length >= minimumMaskedLength) into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) stringValues(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) stringValues(item, into);
  }
  return into;
}

/** Replaces every secret value in a line the app printed. */
export function maskSecrets(line: string, values: readonly string[]): string {
  let masked = line;
  for (const value of values) if (masked.includes(value)) masked = masked.split(value).join('[secret]');
  return masked;
}

/** Writes the file whole (a new inode renamed into place): a running container keeps what it read. */
async function writeSecretsFile(directory: string, toml: string, appUserId: number): Promise<string> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(path.dirname(directory), 0o700);
  const finalPath = path.join(directory, 'secrets.toml');
  const temporaryPath = `${finalPath}.${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temporaryPath, toml, { mode: 0o400, flag: 'wx' });
    // Readable by the app's user only; a builder not running as root cannot give the file away,
    // so it stays readable inside the container (the host directory is still closed to others).
    if (process.getuid?.() === 0) await chown(temporaryPath, appUserId, appUserId);
    else await chmod(temporaryPath, 0o444);
    await rename(temporaryPath, finalPath);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
  return finalPath;
}

async function findWorkspaceId(context: BuilderContext, appId: string): Promise<string | null> {
  const [app] = await context.db
    .select({ workspaceId: schema.apps.workspaceId })
    .from(schema.apps)
    .where(eq(schema.apps.id, appId));
  return app?.workspaceId ?? null;
}

/** A line masker for a container already running (its log is re-attached after a restart). */
export async function secretsMasker(
  context: BuilderContext,
  appId: string,
): Promise<(line: string) => string> {
  const workspaceId = await findWorkspaceId(context, appId);
  const secrets = workspaceId
    ? await readAppSecrets(context.db, masterKeyRing(context.config), { workspaceId, appId })
    : null;
  const values = secrets ? stringValues(secrets.table, []) : [];
  return (line) => maskSecrets(line, values);
}

export async function prepareContainerSecrets(
  context: BuilderContext,
  appId: string,
  appUserId: number,
): Promise<ContainerSecrets> {
  const { db, config } = context;
  const directory = secretsDirectory(config.COVE_WORK_DIR, appId);
  const workspaceId = await findWorkspaceId(context, appId);
  let secrets: { toml: string; table: SecretsTable } | null = null;
  if (workspaceId) {
    try {
      secrets = await readAppSecrets(db, masterKeyRing(config), { workspaceId, appId });
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw permanentFailure(
        `Cove could not decrypt this app's secrets, so it was not started: ${error.message}`,
      );
    }
  }
  if (!secrets) {
    await rm(directory, { recursive: true, force: true });
    return { env: {}, readOnlyFiles: [], values: [] };
  }
  const hostPath = await writeSecretsFile(directory, secrets.toml, appUserId);
  return {
    env: secretsAsEnvironment(secrets.table),
    readOnlyFiles: [{ hostPath, containerPath: secretsContainerPath }],
    values: stringValues(secrets.table, []),
  };
}

/** Removes the secrets files of apps that no longer exist (checked again just before removing). */
export async function pruneSecretsFiles(
  context: BuilderContext,
  knownAppIds: ReadonlySet<string>,
): Promise<void> {
  const root = path.join(context.config.COVE_WORK_DIR, 'secrets');
  const entries = await readdir(root).catch(() => []);
  const candidates = entries.filter((entry) => !knownAppIds.has(entry) && /^[0-9a-f-]{36}$/.test(entry));
  if (candidates.length === 0) return;
  const existing = await context.db
    .select({ id: schema.apps.id })
    .from(schema.apps)
    .where(inArray(schema.apps.id, candidates));
  const stillThere = new Set(existing.map((row) => row.id));
  for (const appId of candidates) {
    if (!stillThere.has(appId)) await rm(path.join(root, appId), { recursive: true, force: true });
  }
}
