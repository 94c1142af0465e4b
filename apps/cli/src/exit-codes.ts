// What a `cove` exit code says, so a script can tell "sign in again" from "try later" without
// reading the message. The README's "Command line" section lists the same table.

export const exitCodes = {
  ok: 0,
  /** The command line or the input was wrong (a bad name, an invalid TOML, an unknown flag). */
  usage: 1,
  /** No token, or the API refused it (401): run `cove login`. */
  notSignedIn: 2,
  /** The app, deployment or token is not in this workspace (404). */
  notFound: 3,
  /** Refused: a role too low, a workspace limit, a conflict with the app's state, too many requests. */
  refused: 4,
  /** The server failed (5xx), answered something that is not Cove's API, or could not be reached. */
  serverOrNetwork: 5,
  /** The build or the start the command waited for failed (or was cancelled or replaced). */
  deploymentFailed: 6,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** An error the CLI shows as it is (no stack) and exits with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Per-field messages from the API, shown under the message. */
    readonly fields: Record<string, string> = {},
    /** The API's error body, printed on stdout with --json. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, exitCodes.usage);
}

/** The exit code for an HTTP error status from the API. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401) return exitCodes.notSignedIn;
  if (status === 404) return exitCodes.notFound;
  if (status === 400) return exitCodes.usage;
  if (status >= 500) return exitCodes.serverOrNetwork;
  // 403 (role, limit, a token creating tokens), 409 (state), 413, 422 (URL policy), 429.
  if (status >= 400) return exitCodes.refused;
  return exitCodes.serverOrNetwork;
}
