// `npm run workspace:limits -- <workspace name or id> [--max-apps N] [--max-running-apps N]
// [--max-memory-mb N]`: the operator sets a workspace's own limits ("default" clears one).
import { loadConfigOrExit } from '../config/load';
import { commonConfigSchema } from '../config/schemas';
import { connectDatabase } from '../db/client';
import { CoveError } from '../errors';
import { parseLimitsCommand, setWorkspaceLimits, type WorkspaceLimitsRow } from './set-limits';

const config = loadConfigOrExit(
  commonConfigSchema.pick({
    COVE_DATABASE_URL: true,
    COVE_WORKSPACE_MAX_APPS: true,
    COVE_WORKSPACE_MAX_RUNNING_APPS: true,
    COVE_WORKSPACE_MAX_MEMORY_MB: true,
  }),
);

function describe(value: number | null, fallback: number, unit = ''): string {
  return value === null ? `${fallback}${unit} (the default)` : `${value}${unit}`;
}

function report(row: WorkspaceLimitsRow): string {
  return [
    `Workspace "${row.name}" (${row.id}):`,
    `  apps            ${describe(row.maxApps, config.COVE_WORKSPACE_MAX_APPS)}`,
    `  running apps    ${describe(row.maxRunningApps, config.COVE_WORKSPACE_MAX_RUNNING_APPS)}`,
    `  memory          ${describe(row.maxMemoryMb, config.COVE_WORKSPACE_MAX_MEMORY_MB, ' MB')}`,
  ].join('\n');
}

let command: ReturnType<typeof parseLimitsCommand>;
try {
  command = parseLimitsCommand(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const database = connectDatabase(config.COVE_DATABASE_URL);
try {
  const row = await setWorkspaceLimits(database.db, command.workspace, command.changes);
  process.stdout.write(`${report(row)}\n`);
} catch (error) {
  if (!(error instanceof CoveError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
