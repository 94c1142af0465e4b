// `cove login` and `cove logout`: the server and token the other commands use.
import type { Command } from 'commander';
import { z } from 'zod';
import { createApiClient } from '../client';
import { configPath, normalizeServer, removeStoredConfig, writeStoredConfig } from '../config';
import { action, type CliIo, optionsOf } from '../context';
import { usageError } from '../exit-codes';
import { askRequired } from '../prompt';
import { cliTokenName, mintTokenWithPassword } from '../sign-in';

const loginOptions = z.object({
  server: z.string().optional(),
  token: z.string().optional(),
  email: z.string().optional(),
});

export function addSessionCommands(program: Command, io: CliIo): void {
  action(
    program
      .command('login')
      .description(
        'check a server and API token and save them in ~/.config/cove/config.json (mode 0600); COVE_API_URL and COVE_API_TOKEN, when set, win over the file',
      )
      .option('--server <url>', "the dashboard's address, e.g. http://localhost:4100 (asked when left out)")
      .option('--token <token>', 'an API token from the dashboard (asked when left out, or read from stdin)')
      .option(
        '--email <email>',
        'sign in with your email and password instead (the password is asked, or read from stdin); a new API token is made for this CLI and saved',
      ),
    io,
    async ({ output }, command) => {
      const options = optionsOf(command, loginOptions);
      if (options.email !== undefined && options.token !== undefined)
        throw usageError('Give either --email (and the password when asked) or --token, not both.');
      const server = normalizeServer(
        options.server ?? io.env.COVE_API_URL ?? (await askRequired(io, "Cove's address: ", 'address')),
      );
      const fetcher = io.fetch ? { fetch: io.fetch } : {};
      let token: string;
      let minted: string | null = null;
      if (options.email !== undefined) {
        const password = await askRequired(io, `Password for ${options.email}: `, 'password', true);
        const { created } = await mintTokenWithPassword({
          server,
          email: options.email,
          password,
          token: { name: cliTokenName(), scope: 'full', expiresInDays: null },
          ...fetcher,
        });
        token = created.token;
        minted = created.name;
      } else {
        token =
          options.token ?? io.env.COVE_API_TOKEN ?? (await askRequired(io, 'API token: ', 'token', true));
      }
      const client = createApiClient({ server, token, ...fetcher });
      const session = await client.call('getSession');
      const path = configPath(io.env);
      await writeStoredConfig(path, {
        server,
        token,
        ...(options.email ? { email: session.user.email } : {}),
      });
      output.result(session, () => [
        `Signed in to ${server} as ${session.user.email} (workspace ${session.workspace.name}).`,
        ...(minted
          ? [`Made the API token "${minted}" for this CLI (revoke it with \`cove tokens revoke\`).`]
          : []),
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
