// What every command gets: its parsed arguments and options, how to speak, and a client signed in
// with the configured token.
import type { Command } from 'commander';
import { z } from 'zod';
import { type ApiClient, createApiClient } from './client';
import { loadCredentials } from './config';
import { usageError } from './exit-codes';
import { createOutput, type Output, type Streams } from './output';

export interface CliIo extends Streams {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  fetch?: typeof fetch;
}

export interface CommandContext {
  io: CliIo;
  output: Output;
  /** A client with the environment's or the config file's server and token (exit 2 without). */
  connect(): Promise<ApiClient>;
}

const commonOptions = z.object({ json: z.boolean().default(false) });

/** Adds --json to a command and runs handler with the context when it is called. */
export function action(
  command: Command,
  io: CliIo,
  handler: (context: CommandContext, command: Command) => Promise<void>,
): Command {
  return command
    .option('--json', "print the API's JSON answer (for scripts)")
    .action(async (...args: unknown[]) => {
      const invoked = args.at(-1);
      if (!isCommand(invoked)) throw new Error('commander passed no command to the action');
      const common = commonOptions.parse(pick(invoked.opts(), ['json']));
      const output = createOutput({ isJson: common.json }, io);
      const connect = async () => {
        const credentials = await loadCredentials(io.env);
        return createApiClient({ ...credentials, ...(io.fetch ? { fetch: io.fetch } : {}) });
      };
      await handler({ io, output, connect }, invoked);
    });
}

function isCommand(value: unknown): value is Command {
  return typeof value === 'object' && value !== null && 'processedArgs' in value && 'opts' in value;
}

function pick(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in values).map((key) => [key, values[key]]));
}

/** The command's options, checked with a schema (commander types them loosely). */
export function optionsOf<Schema extends z.ZodType>(command: Command, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(command.opts());
  if (!parsed.success) throw usageError(parsed.error.issues[0]?.message ?? 'Invalid options.');
  return parsed.data;
}

/** The command's positional arguments, checked with a tuple schema. */
export function argumentsOf<Schema extends z.ZodType>(command: Command, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(command.processedArgs);
  if (!parsed.success) throw usageError(parsed.error.issues[0]?.message ?? 'Invalid arguments.');
  return parsed.data;
}

/** A whole number of seconds from an option's text. */
export const secondsOption = z.coerce
  .number({ error: 'Give the time in seconds, as a whole number.' })
  .int('Give the time in seconds, as a whole number.')
  .positive('Give the time in seconds, as a whole number above 0.');
