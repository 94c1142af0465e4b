// What a backup says about itself (manifest.json beside the dump): when, from which migration
// level, what it holds, and that the master key is not in it. Read back before anything is restored.
import { z } from 'zod';

export const manifestFile = 'manifest.json';
export const databaseFile = 'database.dump';
export const readmeFile = 'README.txt';

export const masterKeyNote =
  'The master key is not in this backup: keep COVE_MASTER_KEY apart (a password manager, a sealed envelope); without it the secrets, webhook secrets and certificate keys in this backup cannot be read.';

/** What Cove keeps outside Postgres, and why a restore does without it. */
export const notIncluded = [
  'COVE_MASTER_KEY and the rest of the environment (keep them apart)',
  "Redis: routes, queues and caches; the builder's reconciler writes the routes again and queues again the builds of queued deployments",
  'app images: the builder builds a running app again from its commit or uploaded folder when its image is not on the host',
];

export const backupManifest = z.object({
  format: z.literal('cove-backup'),
  formatVersion: z.literal(1),
  createdAt: z.iso.datetime(),
  migrations: z.object({ count: z.number().int().min(0), latest: z.string().nullable() }),
  postgres: z.object({
    serverVersion: z.string(),
    file: z.literal(databaseFile),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  contents: z.object({
    workspaces: z.number().int(),
    users: z.number().int(),
    apps: z.number().int(),
    deployments: z.number().int(),
    appSecrets: z.number().int(),
    uploads: z.number().int(),
    certificates: z.number().int(),
    historyEntries: z.number().int(),
  }),
  masterKey: z.object({
    isIncluded: z.literal(false),
    /** Fingerprints (secrets/crypto masterKeyId) of the keys the stored values were sealed with. */
    sealedWith: z.array(z.string()),
    note: z.string(),
  }),
  notIncluded: z.array(z.string()),
});
export type BackupManifest = z.infer<typeof backupManifest>;

/** The manifest of a backup, or a BackupError-worthy reason why the text is not one. */
export function parseManifest(text: string): { manifest: BackupManifest } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `${manifestFile} is not JSON` };
  }
  const result = backupManifest.safeParse(value);
  if (result.success) return { manifest: result.data };
  const issue = result.error.issues[0];
  return {
    problem: `${manifestFile} is not a Cove backup manifest this version reads (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`,
  };
}

/** The README a person finds beside the dump. */
export function readmeText(manifest: BackupManifest): string {
  const { contents } = manifest;
  return [
    `Cove backup taken ${manifest.createdAt}`,
    '',
    `${contents.apps} apps, ${contents.deployments} deployments, ${contents.appSecrets} apps' secrets, ${contents.uploads} uploaded folders, ${contents.certificates} certificates, ${contents.users} accounts in ${contents.workspaces} workspaces.`,
    `Database: ${databaseFile} (pg_dump custom format, Postgres ${manifest.postgres.serverVersion}, migration ${manifest.migrations.latest ?? manifest.migrations.count}).`,
    '',
    masterKeyNote,
    manifest.masterKey.sealedWith.length > 0
      ? `Sealed with master key ${manifest.masterKey.sealedWith.join(', ')} (the fingerprint Cove logs, not the key).`
      : 'Nothing in it is sealed yet.',
    '',
    'Not in it:',
    ...manifest.notIncluded.map((entry) => `- ${entry}`),
    '',
    'Restore with: npm run restore -- --from <this folder>',
    '',
  ].join('\n');
}
