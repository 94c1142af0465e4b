// `cove logs <app>`: a deployment's build or runtime log, printed or followed live through the
// API's event stream.
import type { AppView } from '@cove/shared/contracts/api';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, argumentsOf, type CliIo, optionsOf } from '../context';
import { bodyChunks, readLogLines } from '../event-stream';
import { CliError, exitCodes, usageError } from '../exit-codes';

const logsOptions = z.object({
  build: z.boolean().default(false),
  runtime: z.boolean().default(false),
  follow: z.boolean().default(false),
  deployment: z.string().optional(),
});

export type LogStreamName = 'build' | 'runtime';

/** --build (the default) or --runtime, never both. */
export function chooseStream(options: { build: boolean; runtime: boolean }): LogStreamName {
  if (options.build && options.runtime) throw usageError('Choose one log: --build or --runtime.');
  return options.runtime ? 'runtime' : 'build';
}

/** The build log of the newest deployment; the runtime log of the one serving (else the newest). */
export function chooseDeployment(app: AppView, stream: LogStreamName): string {
  const deployment =
    stream === 'runtime' ? (app.currentDeployment ?? app.latestDeployment) : app.latestDeployment;
  if (!deployment)
    throw new CliError(`${app.name} has no deployment yet, so it has no log.`, exitCodes.notFound);
  return deployment.id;
}

export function addLogsCommand(program: Command, io: CliIo): void {
  action(
    program
      .command('logs')
      .description("an app's build log (the newest deployment's) or runtime log (the serving one's)")
      .argument('<app>')
      .option('--build', 'the build log (the default)')
      .option('--runtime', "the running container's log")
      .option('-f, --follow', 'keep printing lines as they come, until the log ends (Ctrl-C stops)')
      .option('--deployment <id>', 'the log of this deployment instead'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const options = optionsOf(command, logsOptions);
      const stream = chooseStream(options);
      const client = await connect();
      const id =
        options.deployment ?? chooseDeployment(await client.call('getApp', { params: { name } }), stream);
      const params = { name, id };
      if (!options.follow) {
        const text = await client.call('getDeploymentLogs', { params, query: { stream } });
        const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
        output.result({ deploymentId: id, stream, lines }, () => lines);
        return;
      }
      const response = await client.open('getDeploymentLogs', {
        params,
        query: { stream, follow: '1' },
        signal: new AbortController().signal,
      });
      // With --json, one LogLineEvent per line as the API sent it (NDJSON), for scripts that follow.
      for await (const entry of readLogLines(bodyChunks(response.body)))
        output.line(output.isJson ? JSON.stringify(entry) : entry.line);
    },
  );
}
