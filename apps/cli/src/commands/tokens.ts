// `cove tokens list|create|revoke`: the caller's API tokens. The API creates tokens for signed-in
// dashboard sessions only, so `create` with a token is refused in the API's words (exit 4).
import type { Command } from 'commander';
import { z } from 'zod';
import { action, argumentsOf, type CliIo, optionsOf } from '../context';
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
      .description('create a token (the API allows it from a signed-in dashboard session only)')
      .argument('<name>')
      .option('--scope <scope>', 'read (GET only) or full', 'full')
      .option('--expires-in-days <days>', 'days until it stops working (default: never)'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const options = optionsOf(
        command,
        z.object({
          scope: z.enum(['read', 'full'], { error: 'Choose a scope: read or full.' }),
          expiresInDays: z.coerce.number().optional(),
        }),
      );
      const created = await (await connect()).call('createToken', {
        body: { name, scope: options.scope, expiresInDays: options.expiresInDays ?? null },
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
