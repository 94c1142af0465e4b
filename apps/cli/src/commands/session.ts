// `cove login` and `cove logout`: the server and token the other commands use.
import type { Command } from 'commander';
import { z } from 'zod';
import { createApiClient } from '../client';
import { configPath, normalizeServer, removeStoredConfig, writeStoredConfig } from '../config';
import { action, type CliIo, optionsOf } from '../context';
import { askRequired } from '../prompt';

const loginOptions = z.object({ server: z.string().optional(), token: z.string().optional() });

export function addSessionCommands(program: Command, io: CliIo): void {
  action(
    program
      .command('login')
      .description(
        'check a server and API token and save them in ~/.config/cove/config.json (mode 0600); COVE_API_URL and COVE_API_TOKEN, when set, win over the file',
      )
      .option('--server <url>', "the dashboard's address, e.g. http://localhost:4100 (asked when left out)")
      .option('--token <token>', 'an API token from the dashboard (asked when left out, or read from stdin)'),
    io,
    async ({ output }, command) => {
      const options = optionsOf(command, loginOptions);
      const server = normalizeServer(
        options.server ?? io.env.COVE_API_URL ?? (await askRequired(io, "Cove's address: ", 'address')),
      );
      const token =
        options.token ?? io.env.COVE_API_TOKEN ?? (await askRequired(io, 'API token: ', 'token', true));
      const client = createApiClient({ server, token, ...(io.fetch ? { fetch: io.fetch } : {}) });
      const session = await client.call('getSession');
      const path = configPath(io.env);
      await writeStoredConfig(path, { server, token });
      output.result(session, () => [
        `Signed in to ${server} as ${session.user.email} (workspace ${session.workspace.name}).`,
        `Saved in ${path}, readable by you only.`,
        ...(io.env.COVE_API_URL || io.env.COVE_API_TOKEN
          ? ['COVE_API_URL or COVE_API_TOKEN is set in this environment and wins over the file.']
          : []),
      ]);
    },
  );

  action(
    program
      .command('logout')
      .description('forget the saved server and token (the token keeps working until it is revoked)'),
    io,
    async ({ output }) => {
      const path = configPath(io.env);
      const hadConfig = await removeStoredConfig(path);
      output.result({ removed: hadConfig, path }, () => [
        hadConfig ? `Signed out: removed ${path}.` : `Not signed in: there was no ${path}.`,
        'The token itself works until it is revoked: `cove tokens revoke <id>` or the dashboard.',
        ...(io.env.COVE_API_TOKEN ? ['COVE_API_TOKEN is still set in this environment.'] : []),
      ]);
    },
  );
}
