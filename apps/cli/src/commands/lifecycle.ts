// `cove deploy` (a folder, or an app's branch head), `cove rollback`, `cove sleep` and `cove wake`: each asks the API, then (unless
// --no-wait) waits for the builder to carry it out, with a spinner on a terminal.
import path from 'node:path';
import type { AppView, DeploymentView } from '@cove/shared/contracts/api';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, argumentsOf, type CliIo, type CommandContext, optionsOf, secondsOption } from '../context';
import { CliError, exitCodes } from '../exit-codes';
import { packFolder } from '../pack';
import { versionOf, watchDeployment, watchWake } from '../watch';

const waitOptions = z.object({
  wait: z.boolean().default(true),
  quiet: z.boolean().default(false),
  timeout: secondsOption,
});

const deployOptions = waitOptions.extend({
  name: z.string().optional(),
  main: z.string().optional(),
});

/** A path rather than an app name: app names have no dots or slashes. */
export function looksLikeFolder(target: string): boolean {
  return target.includes('/') || target.includes('.') || target.includes(path.sep);
}

/** The app name a folder deploys to by default: its own name, as an app name would be spelled. */
export function defaultAppName(folder: string): string {
  return path
    .basename(path.resolve(folder))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function kilobytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.ceil(bytes / 1024)} KB`
    : `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

async function deployFolder(
  { connect, output }: CommandContext,
  folder: string,
  options: z.output<typeof deployOptions>,
): Promise<void> {
  const name = options.name ?? defaultAppName(folder);
  const packed = await packFolder(folder);
  output.note(
    `Packed ${packed.files.length} file${packed.files.length === 1 ? '' : 's'} from ${folder} (${kilobytes(packed.bytes)}, ${kilobytes(packed.archive.length)} compressed).`,
  );
  const client = await connect();
  let app: AppView;
  try {
    app = await client.call('getApp', { params: { name } });
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== exitCodes.notFound) throw error;
    app = await client.call('createApp', {
      body: { name, source: 'upload', ...(options.main === undefined ? {} : { mainFile: options.main }) },
    });
    output.note(`Created ${name} (${app.url}).`);
  }
  const answer = await client.call('deployUpload', {
    params: { name },
    body: packed.archive,
    query: options.main === undefined ? {} : { mainFile: options.main },
    signal: AbortSignal.timeout(uploadTimeoutMs),
  });
  if (answer.isUnchanged || !options.wait) {
    output.result({ ...answer, url: app.url }, () => [answer.message, app.url]);
    return;
  }
  output.note(answer.message);
  const finished = await watchDeployment(
    client,
    output,
    { app: name, deploymentId: answer.deployment.id, verb: 'Deploying' },
    { timeoutSeconds: options.timeout, isFollowingBuildLog: !options.quiet && !output.isJson },
  );
  output.result({ ...answer, deployment: finished, url: app.url }, () => [app.url]);
}

/** Sending the archive may take longer than an API call (a large folder, a slow link). */
const uploadTimeoutMs = 300_000;

function withWaitOptions(command: Command, defaultTimeoutSeconds: number): Command {
  return command
    .option('--no-wait', 'return once the API accepted it, without waiting')
    .option('--timeout <seconds>', 'give up waiting after this long', String(defaultTimeoutSeconds));
}

/** The newest deployment that went live before, other than the one serving now. */
export function previousLiveDeployment(
  deployments: DeploymentView[],
  currentDeploymentId: string | undefined,
): DeploymentView | undefined {
  return deployments.find((deployment) => deployment.hasServed && deployment.id !== currentDeploymentId);
}

export function addLifecycleCommands(program: Command, io: CliIo): void {
  action(
    withWaitOptions(
      program
        .command('deploy')
        .description(
          "deploy a folder (`cove deploy ./my-app --name my-app`: packed honouring .gitignore and .coveignore, the app created when missing), or redeploy an app's branch head (`cove deploy my-app`); waits until it runs or fails, printing the build log and the address",
        )
        .argument('<app-or-folder>', 'an app name, or a folder (a path: ./my-app, ., ../x)')
        .option('--name <app>', "the app to deploy the folder to (default: the folder's name)")
        .option(
          '--main <file>',
          "the main file, relative to the folder (default: the app's, else streamlit_app.py)",
        )
        .option('-q, --quiet', 'no build log, only the outcome'),
      1200,
    ),
    io,
    async (context, command) => {
      const [target] = argumentsOf(command, z.tuple([z.string()]));
      const options = optionsOf(command, deployOptions);
      if (options.name !== undefined || options.main !== undefined || looksLikeFolder(target)) {
        await deployFolder(context, target, options);
        return;
      }
      const { connect, output } = context;
      const client = await connect();
      const { deployment } = await client.call('createDeployment', { params: { name: target } });
      if (!options.wait) {
        output.result({ deployment }, () => [`Queued deployment ${deployment.id} of ${target}.`]);
        return;
      }
      const finished = await watchDeployment(
        client,
        output,
        { app: target, deploymentId: deployment.id, verb: 'Deploying' },
        { timeoutSeconds: options.timeout, isFollowingBuildLog: !options.quiet && !output.isJson },
      );
      output.result({ deployment: finished }, () => []);
    },
  );

  action(
    withWaitOptions(
      program
        .command('rollback')
        .description(
          'make an earlier deployment serve again from its image (default: the one before the current)',
        )
        .argument('<app>')
        .argument(
          '[deployment]',
          "the deployment's id (`cove status <app> --json` or the dashboard lists them)",
        ),
      300,
    ),
    io,
    async ({ connect, output }, command) => {
      const [name, chosen] = argumentsOf(command, z.tuple([z.string(), z.string().optional()]));
      const options = optionsOf(command, waitOptions);
      const client = await connect();
      let target = chosen;
      if (target === undefined) {
        const app = await client.call('getApp', { params: { name } });
        const { deployments } = await client.call('listDeployments', { params: { name } });
        target = previousLiveDeployment(deployments, app.currentDeployment?.id ?? undefined)?.id;
        if (target === undefined)
          throw new CliError(
            `${name} has no earlier deployment that went live, so there is nothing to roll back to.`,
            exitCodes.notFound,
          );
      }
      const { deployment } = await client.call('rollbackDeployment', { params: { name, id: target } });
      if (!options.wait) {
        output.result({ deployment }, () => [`Rolling ${name} back to ${versionOf(deployment)}.`]);
        return;
      }
      const finished = await watchDeployment(
        client,
        output,
        { app: name, deploymentId: deployment.id, verb: 'Rolling back' },
        { timeoutSeconds: options.timeout, isFollowingBuildLog: false },
      );
      output.result({ deployment: finished }, () => []);
    },
  );

  action(
    program
      .command('sleep')
      .description('put the app to sleep now: stopped (no memory), or frozen with --freeze')
      .argument('<app>')
      .option('--freeze', 'pause it with its memory kept (wakes in a moment)'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const { freeze } = optionsOf(command, z.object({ freeze: z.boolean().default(false) }));
      const answer = await (await connect()).call('sleepApp', {
        params: { name },
        body: { depth: freeze ? 'freeze' : 'stop' },
      });
      output.result(answer, () => [answer.message]);
    },
  );

  action(
    withWaitOptions(
      program
        .command('wake')
        .description('wake the sleeping app now and wait until it runs')
        .argument('<app>'),
      300,
    ),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const options = optionsOf(command, waitOptions);
      const client = await connect();
      const answer = await client.call('wakeApp', { params: { name } });
      if (!options.wait) {
        output.result(answer, () => [answer.message]);
        return;
      }
      output.note(answer.message);
      const app = await watchWake(client, output, name, options.timeout);
      output.result(app, () => []);
    },
  );
}
