// The operator's side of workspace limits: read the command line, find the workspace by id or name,
// store its own limits (or clear them back to the platform's defaults).
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client';
import { workspaces } from '../db/schema/identity';
import { CoveError } from '../errors';

export interface LimitChanges {
  maxApps?: number | null;
  maxRunningApps?: number | null;
  maxMemoryMb?: number | null;
}

export interface LimitsCommand {
  workspace: string;
  changes: LimitChanges;
}

const flags = {
  '--max-apps': 'maxApps',
  '--max-running-apps': 'maxRunningApps',
  '--max-memory-mb': 'maxMemoryMb',
} as const satisfies Record<string, keyof LimitChanges>;

const limitValue = z.union([
  z.literal('default').transform(() => null),
  z
    .string()
    .regex(/^\d+$/, 'a whole number or "default"')
    .transform((value) => Number.parseInt(value, 10)),
]);

export const limitsUsage =
  'Usage: npm run workspace:limits -- <workspace name or id> [--max-apps N] [--max-running-apps N] [--max-memory-mb N]\n' +
  '  N is a whole number, or "default" for the platform\'s default (COVE_WORKSPACE_MAX_*). Without flags: show the limits.';

function isFlag(value: string): value is keyof typeof flags {
  return Object.hasOwn(flags, value);
}

/** Parses `<workspace> [--flag value]...`; a mistake is a CoveError whose message says which. */
export function parseLimitsCommand(args: readonly string[]): LimitsCommand {
  const [workspace, ...rest] = args;
  if (!workspace || workspace.startsWith('--')) {
    throw new CoveError('invalid_input', `Name the workspace (its name or id) first.\n${limitsUsage}`);
  }
  const changes: LimitChanges = {};
  for (let index = 0; index < rest.length; index += 2) {
    const flag = rest[index] ?? '';
    if (!isFlag(flag)) throw new CoveError('invalid_input', `Unknown option ${flag}.\n${limitsUsage}`);
    const parsed = limitValue.safeParse(rest[index + 1] ?? '');
    if (!parsed.success) {
      throw new CoveError('invalid_input', `${flag} needs a whole number or "default".`);
    }
    changes[flags[flag]] = parsed.data;
  }
  return { workspace, changes };
}

export interface WorkspaceLimitsRow {
  id: string;
  name: string;
  maxApps: number | null;
  maxRunningApps: number | null;
  maxMemoryMb: number | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Finds one workspace by id, or by a name only one workspace has. */
export async function findWorkspaceForOperator(db: Database, reference: string): Promise<WorkspaceLimitsRow> {
  const columns = {
    id: workspaces.id,
    name: workspaces.name,
    maxApps: workspaces.maxApps,
    maxRunningApps: workspaces.maxRunningApps,
    maxMemoryMb: workspaces.maxMemoryMb,
  };
  const matches = await db
    .select(columns)
    .from(workspaces)
    .where(uuidPattern.test(reference) ? eq(workspaces.id, reference) : eq(workspaces.name, reference));
  const [only] = matches;
  if (!only) throw new CoveError('not_found', `No workspace is called or has the id "${reference}".`);
  if (matches.length > 1) {
    const ids = matches.map((row) => row.id).join(', ');
    throw new CoveError('conflict', `Several workspaces are called "${reference}"; give one id: ${ids}.`);
  }
  return only;
}

export async function setWorkspaceLimits(
  db: Database,
  reference: string,
  changes: LimitChanges,
): Promise<WorkspaceLimitsRow> {
  const workspace = await findWorkspaceForOperator(db, reference);
  if (Object.keys(changes).length === 0) return workspace;
  const [updated] = await db
    .update(workspaces)
    .set(changes)
    .where(eq(workspaces.id, workspace.id))
    .returning({
      id: workspaces.id,
      name: workspaces.name,
      maxApps: workspaces.maxApps,
      maxRunningApps: workspaces.maxRunningApps,
      maxMemoryMb: workspaces.maxMemoryMb,
    });
  if (!updated) throw new CoveError('not_found', `The workspace "${reference}" was deleted meanwhile.`);
  return updated;
}
