// Where the CLI finds its server and token: COVE_API_URL and COVE_API_TOKEN when set (they win), else
// ~/.config/cove/config.json, written by `cove login` readable by its owner only (mode 0600).
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError, exitCodes, usageError } from './exit-codes';

export const storedConfig = z.object({
  server: z.string().describe("The dashboard's address, e.g. http://localhost:4100"),
  token: z.string(),
  /** Set by `cove login --email`: whom `cove tokens create` signs in as by default. */
  email: z.string().optional(),
});
export type StoredConfig = z.infer<typeof storedConfig>;

export interface Credentials {
  /** The dashboard's address without the API path, e.g. http://localhost:4100 */
  server: string;
  token: string;
  source: 'environment' | 'config file';
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'cove', 'config.json');
}

/**
 * Accepts the dashboard's address or the API's (…/api/v1, as .cove/env's COVE_API_URL), with or
 * without a trailing slash, and gives the dashboard's.
 */
export function normalizeServer(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw usageError(`"${trimmed}" is not an address: give the dashboard's, like http://localhost:4100.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(
      `"${trimmed}" is not an http(s) address: give the dashboard's, like http://localhost:4100.`,
    );
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}`;
}

export async function readStoredConfig(path: string): Promise<StoredConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw usageError(`${path} is not valid JSON: fix it, or delete it and run \`cove login\` again.`);
  }
  const parsed = storedConfig.safeParse(json);
  if (!parsed.success) throw usageError(`${path} lacks a server or a token: run \`cove login\` again.`);
  return parsed.data;
}

export async function writeStoredConfig(path: string, config: StoredConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; an older file keeps its own.
  await chmod(path, 0o600);
}

export async function removeStoredConfig(path: string): Promise<boolean> {
  const existing = await readStoredConfig(path).catch(() => 'unreadable' as const);
  await rm(path, { force: true });
  return existing !== undefined;
}

/** The environment's server and token win over the file's, each on its own. */
export async function loadCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const stored = await readStoredConfig(configPath(env));
  const server = env.COVE_API_URL || stored?.server;
  const token = env.COVE_API_TOKEN || stored?.token;
  if (!server || !token)
    throw new CliError(
      'Not signed in: run `cove login`, or set COVE_API_URL and COVE_API_TOKEN.',
      exitCodes.notSignedIn,
    );
  const isFromEnvironment = Boolean(env.COVE_API_URL || env.COVE_API_TOKEN);
  return {
    server: normalizeServer(server),
    token,
    source: isFromEnvironment ? 'environment' : 'config file',
  };
}
