// `cove secrets set|keys|rm`: an app's secrets as TOML, as in .streamlit/secrets.toml. Values never
// come back through the CLI; the API validates the TOML and names the line of an error.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, argumentsOf, type CliIo, optionsOf } from '../context';
import { usageError } from '../exit-codes';

/** The TOML from a file, or from stdin for "-" (or no argument when stdin is a pipe). */
export async function readSecretsSource(io: CliIo, source: string | undefined): Promise<string> {
  if (source === undefined && io.stdin.isTTY === true)
    throw usageError('Give a TOML file, or "-" and the TOML on stdin: cove secrets set <app> secrets.toml');
  if (source === undefined || source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw usageError(`Could not read ${source} (${reason}).`);
  }
}

export function addSecretsCommands(program: Command, io: CliIo): void {
  const secrets = program
    .command('secrets')
    .description("an app's secrets (TOML, read by the app as st.secrets)");

  action(
    secrets
      .command('set')
      .description("replace the app's secrets with a TOML file (or stdin); a running app restarts with them")
      .argument('<app>')
      .argument('[file]', 'the TOML file, or - for stdin'),
    io,
    async ({ connect, output }, command) => {
      const [name, source] = argumentsOf(command, z.tuple([z.string(), z.string().optional()]));
      const toml = await readSecretsSource(io, source);
      const saved = await (await connect()).call('replaceSecrets', { params: { name }, body: toml });
      output.result(saved, () => [saved.message, `Keys: ${saved.keys.join(', ') || 'none'}`]);
    },
  );

  action(
    secrets.command('keys').description("the keys of the app's secrets (never the values)").argument('<app>'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const view = await (await connect()).call('listSecretKeys', { params: { name } });
      output.result(view, () => (view.keys.length === 0 ? [`${name} has no secrets.`] : view.keys));
    },
  );

  action(
    secrets
      .command('rm')
      .description("remove all of the app's secrets with --all (the API removes no single key)")
      .argument('<app>')
      .argument('[key]', 'not supported: the API replaces or removes the secrets as a whole')
      .option('--all', 'remove every secret of the app; a running app restarts without them'),
    io,
    async ({ connect, output }, command) => {
      const [name, key] = argumentsOf(command, z.tuple([z.string(), z.string().optional()]));
      const { all } = optionsOf(command, z.object({ all: z.boolean().default(false) }));
      if (key !== undefined)
        throw usageError(
          `Cove's API replaces an app's secrets as a whole and removes no single key: save the TOML without ${key} with \`cove secrets set ${name} <file>\`, or remove them all with \`cove secrets rm ${name} --all\`.`,
        );
      if (!all) throw usageError(`To remove every secret of ${name}, say so: cove secrets rm ${name} --all`);
      const removed = await (await connect()).call('deleteSecrets', { params: { name } });
      output.result(removed, () => [removed.message]);
    },
  );
}
