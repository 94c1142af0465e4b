// `cove deploy`, `cove rollback`, `cove sleep` and `cove wake`: each asks the API, then (unless
// --no-wait) waits for the builder to carry it out, with a spinner on a terminal.
import type { DeploymentView } from '@cove/shared/contracts/api';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, argumentsOf, type CliIo, optionsOf, secondsOption } from '../context';
import { CliError, exitCodes } from '../exit-codes';
import { shortCommit, watchDeployment, watchWake } from '../watch';

const waitOptions = z.object({
  wait: z.boolean().default(true),
  quiet: z.boolean().default(false),
  timeout: secondsOption,
});

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
          "redeploy the head of the app's branch and wait until it runs or fails, printing the build log",
        )
        .argument('<app>')
        .option('-q, --quiet', 'no build log, only the outcome'),
      1200,
    ),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, z.tuple([z.string()]));
      const options = optionsOf(command, waitOptions);
      const client = await connect();
      const { deployment } = await client.call('createDeployment', { params: { name } });
      if (!options.wait) {
        output.result({ deployment }, () => [`Queued deployment ${deployment.id} of ${name}.`]);
        return;
      }
      const finished = await watchDeployment(
        client,
        output,
        { app: name, deploymentId: deployment.id, verb: 'Deploying' },
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
        output.result({ deployment }, () => [`Rolling ${name} back to ${shortCommit(deployment.commit)}.`]);
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
