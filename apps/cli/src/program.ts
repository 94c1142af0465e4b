// The `cove` command line: every command, its help, and the one place an error becomes a message
// and an exit code.
import { Command, CommanderError } from 'commander';
import { addAppCommands, addDeleteCommand } from './commands/apps';
import { addLifecycleCommands } from './commands/lifecycle';
import { addLogsCommand } from './commands/logs';
import { addSecretsCommands } from './commands/secrets';
import { addSessionCommands } from './commands/session';
import { addTokenCommands } from './commands/tokens';
import type { CliIo } from './context';
import { CliError, type ExitCode, exitCodes } from './exit-codes';
import { cliVersion } from './version';

const exitCodeHelp = `
Exit codes:
  0  done
  1  usage: a wrong command line or input (the API's field messages say which)
  2  not signed in, or the token was refused (401): run \`cove login\`
  3  not found in this workspace (404)
  4  refused: a role too low, a workspace limit, a conflict with the app's state, too many requests
  5  the server failed or could not be reached
  6  the deployment or wake the command waited for failed

The server and token come from COVE_API_URL and COVE_API_TOKEN when set, else from \`cove login\`.`;

export function buildProgram(io: CliIo): Command {
  const program = new Command('cove')
    .description('Cove from the command line: create, deploy, follow and manage Streamlit apps')
    .version(cliVersion)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for the commands and their options)')
    .addHelpText('after', exitCodeHelp);
  addSessionCommands(program, io);
  addAppCommands(program, io);
  addLogsCommand(program, io);
  addSecretsCommands(program, io);
  addLifecycleCommands(program, io);
  addDeleteCommand(program, io);
  addTokenCommands(program, io);
  return program;
}

/** Runs one command line and answers its exit code; never exits the process itself. */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (error instanceof CliError) {
      reportError(io, error, argv.includes('--json'));
      return error.exitCode;
    }
    io.stderr.write(
      `cove: unexpected error, a bug in the CLI worth reporting:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return exitCodes.usage;
  }
}

function reportError(io: CliIo, error: CliError, isJson: boolean): void {
  if (isJson && error.body !== undefined) io.stdout.write(`${JSON.stringify(error.body, null, 2)}\n`);
  io.stderr.write(`cove: ${error.message}\n`);
  // The API's message usually sums its field messages up; print those it does not already say.
  for (const [field, message] of Object.entries(error.fields))
    if (!error.message.includes(message)) io.stderr.write(`  ${field}: ${message}\n`);
}
