// `cove tokens list|create|revoke`: the caller's API tokens. The API creates tokens for signed-in
// sessions only (a token cannot make tokens), so `create` signs in with the email and password.
import type { Command } from 'commander';
import { z } from 'zod';
import { configPath, loadCredentials, normalizeServer, readStoredConfig } from '../config';
import { action, argumentsOf, type CliIo, optionsOf } from '../context';
import { askRequired } from '../prompt';
import { mintTokenWithPassword } from '../sign-in';
import { table } from './apps';

export function addTokenCommands(program: Command, io: CliIo): void {
  const tokens = program.command('tokens').description('your API tokens in the current workspace');

  const list = action(
    tokens.command('list', { isDefault: true }).description('your tokens: name, scope, last used, expiry'),
    io,
    async ({ connect, output }) => {
      const answer = await (await connect()).call('listTokens');
      output.result(answer, () =>
        answer.tokens.length === 0
          ? ['No tokens.']
          : table([
              ['ID', 'NAME', 'SCOPE', 'LAST USED', 'EXPIRES'],
              ...answer.tokens.map((token) => [
                token.id,
                token.name,
                token.scope,
                token.lastUsedAt ?? 'never',
                token.expiresAt ?? 'never',
              ]),
            ]),
      );
    },
  );
  list.alias('ls');

  action(
    tokens
      .command('create')
      .description(
        'create a token: only a signed-in person may, so this signs in with your email and password (asked, or read from stdin) as the dashboard does',
      )
      .argument('<name>')
      .option('--scope <scope>', 'read (GET only) or full', 'full')
      .option('--expires-in-days <days>', 'days until it stops working (default: never)')
      .option('--email <email>', 'whom to sign in as (default: the one `cove login --email` saved)'),
    io,
    async ({ output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const options = optionsOf(
        command,
        z.object({
          scope: z.enum(['read', 'full'], { error: 'Choose a scope: read or full.' }),
          expiresInDays: z.coerce.number().optional(),
          email: z.string().optional(),
        }),
      );
      const { server } = await loadCredentials(io.env).catch(async () => ({
        server: normalizeServer(
          io.env.COVE_API_URL ?? (await askRequired(io, "Cove's address: ", 'address')),
        ),
      }));
      const stored = await readStoredConfig(configPath(io.env)).catch(() => undefined);
      const email = options.email ?? stored?.email ?? (await askRequired(io, 'Email: ', 'email'));
      const password = await askRequired(io, `Password for ${email}: `, 'password', true);
      const { created } = await mintTokenWithPassword({
        server,
        email,
        password,
        token: { name, scope: options.scope, expiresInDays: options.expiresInDays ?? null },
        ...(io.fetch ? { fetch: io.fetch } : {}),
      });
      output.result(created, () => [
        `Created ${created.name} (${created.scope}): ${created.token}`,
        'It is shown this once.',
      ]);
    },
  );

  action(
    tokens.command('revoke').description('revoke a token at once').argument('<id>'),
    io,
    async ({ connect, output }, command) => {
      const [id] = argumentsOf(command, z.tuple([z.string()]));
      const answer = await (await connect()).call('revokeToken', { params: { id } });
      output.result(answer, () => [answer.message]);
    },
  );
}
