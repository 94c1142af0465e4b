// `npm run restore -- --from <folder | restic:<repository>> [--snapshot <id>] [--force]`: puts a
// backup back into COVE_DATABASE_URL (empty, unless --force), migrates it forward and says what
// the platform does next. Run it with the dashboard, builder and proxy stopped.
import { z } from 'zod';
import { loadConfigOrExit } from '../config/load';
import { commonConfigSchema } from '../config/schemas';
import { masterKeyId } from '../secrets/crypto';
import { readCommandLine } from './command-line';
import { type RestoreResult, restoreBackup } from './restore';
import { parseTarget } from './targets';
import { BackupError } from './tools';

const usage =
  'Usage: npm run restore -- --from <folder | restic:<repository>> [--snapshot <backup or snapshot id>] [--force]';

const options = readCommandLine(
  {
    from: { type: 'string' },
    snapshot: { type: 'string' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  usage,
);
if (options.from === undefined) {
  process.stderr.write(`${usage}\n`);
  process.exit(1);
}
const config = loadConfigOrExit(
  z.object({
    COVE_DATABASE_URL: commonConfigSchema.shape.COVE_DATABASE_URL,
    COVE_MASTER_KEY: commonConfigSchema.shape.COVE_MASTER_KEY.optional(),
  }),
);

function masterKeyLine(result: RestoreResult): string {
  const sealedWith = result.manifest.masterKey.sealedWith.join(', ');
  switch (result.masterKey) {
    case 'matches':
      return `Master key: COVE_MASTER_KEY here (${masterKeyId(config.COVE_MASTER_KEY ?? '')}) is the one the secrets were sealed with.`;
    case 'differs':
      return `Master key: the secrets were sealed with ${sealedWith}, but COVE_MASTER_KEY here is ${masterKeyId(config.COVE_MASTER_KEY ?? '')}. Start Cove with the key the backup was taken with, or the secrets cannot be read.`;
    case 'not-given':
      return `Master key: start Cove with the master key the secrets were sealed with (${sealedWith}, its fingerprint); it is not in the backup.`;
    case 'nothing-sealed':
      return 'Master key: nothing in this backup is sealed; any COVE_MASTER_KEY will do.';
    default: {
      const unknown: never = result.masterKey;
      throw new Error(`unknown master key state ${String(unknown)}`);
    }
  }
}

try {
  const result = await restoreBackup({
    databaseUrl: config.COVE_DATABASE_URL,
    source: parseTarget(options.from),
    backupId: options.snapshot ?? null,
    isForced: options.force,
    ...(config.COVE_MASTER_KEY ? { masterKey: config.COVE_MASTER_KEY } : {}),
  });
  const { contents, createdAt } = result.manifest;
  process.stdout.write(
    [
      `Restored backup ${result.backupId} (taken ${createdAt}): ${contents.apps} apps, ${contents.deployments} deployments, ${contents.appSecrets} apps' secrets, ${contents.uploads} uploaded folders, ${contents.certificates} certificates, ${contents.users} accounts.`,
      ...(result.replacedAppCount !== null
        ? [`It replaced what the database held (${result.replacedAppCount} apps).`]
        : []),
      result.migratedForward > 0
        ? `Migrated forward by ${result.migratedForward} migrations, to ${result.migrations.latest}.`
        : `Migration level: ${result.migrations.latest ?? result.migrations.count}, this checkout's.`,
      masterKeyLine(result),
      '',
      'What happens next:',
      '  1. Start the dashboard, the builder and the proxy (make up, or the stack) with that COVE_MASTER_KEY.',
      "  2. The builder's reconciler starts every running app again from its image. Where this host does not",
      '     have the image, it builds the live version again from its commit or uploaded folder (a deployment',
      "     of its own in the app's history) and serves it once it answers its health check.",
      '  3. Sleeping apps stay asleep until their next visit, which wakes them (building them first if needed).',
      '  4. Redis is not in a backup: routes are written again, and queued builds queued again, by the builder.',
      '  5. Accounts, sessions and API tokens are back as they were when the backup was taken.',
      '',
    ].join('\n'),
  );
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
