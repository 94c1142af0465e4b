// `cove apps`, `cove create`, `cove status` and `cove open`.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { AppView } from '@cove/shared/contracts/api';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, argumentsOf, type CliIo, optionsOf, secondsOption } from '../context';
import { CliError, exitCodes, usageError } from '../exit-codes';
import { ask } from '../prompt';
import { versionOf, watchDeployment } from '../watch';

const appArgument = z.tuple([z.string()]);

export function describeApp(app: AppView): string[] {
  const lines = [
    `${app.name}  ${app.status}${app.statusMessage ? ` (${app.statusMessage})` : ''}`,
    `  address     ${app.url}`,
    `  repository  ${app.repoUrl}  branch ${app.branch}  main file ${app.mainFile}`,
    `  visibility  ${app.visibility}`,
  ];
  const current = app.currentDeployment;
  const latest = app.latestDeployment;
  lines.push(
    current
      ? `  serving     ${versionOf(current)} ${current.commitMessage ?? ''} (deployment ${current.id})`.trimEnd()
      : '  serving     nothing yet',
  );
  if (latest && latest.id !== current?.id)
    lines.push(
      `  latest      ${latest.status} ${versionOf(latest)}${latest.errorMessage ? `: ${latest.errorMessage}` : ''} (deployment ${latest.id})`,
    );
  return lines;
}

export function addAppCommands(program: Command, io: CliIo): void {
  action(
    program.command('apps').description("list the workspace's apps with their status"),
    io,
    async (context) => {
      const answer = await (await context.connect()).call('listApps');
      context.output.result(answer, () =>
        answer.apps.length === 0
          ? ['No apps yet: `cove create <name> --repo <git url>` makes one.']
          : table(answer.apps.map((app) => [app.name, app.status, app.url])),
      );
    },
  );

  action(
    program
      .command('create')
      .description('create an app from a git repository and queue its first deployment')
      .argument('<name>', "the app's name; it becomes its subdomain")
      .requiredOption('--repo <url>', 'the git repository to deploy')
      .option('--branch <branch>', 'the branch to deploy', 'main')
      .option('--main-file <path>', 'the Streamlit script inside the repository', 'streamlit_app.py')
      .option('--wait', 'wait until the first deployment is running or failed, printing its build log')
      .option('-q, --quiet', 'with --wait: no build log, only the outcome')
      .option('--timeout <seconds>', 'with --wait: give up waiting after this long', '900'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, appArgument);
      const options = optionsOf(
        command,
        z.object({
          repo: z.string(),
          branch: z.string(),
          mainFile: z.string(),
          wait: z.boolean().default(false),
          quiet: z.boolean().default(false),
          timeout: secondsOption,
        }),
      );
      const client = await connect();
      const app = await client.call('createApp', {
        body: { name, repoUrl: options.repo, branch: options.branch, mainFile: options.mainFile },
      });
      output.result(app, () => [
        `Created ${app.name}: ${app.url}`,
        `Push webhook: ${app.webhook.url} (its secret is in the --json answer and on the dashboard)`,
      ]);
      if (options.wait && app.latestDeployment)
        await watchDeployment(
          client,
          output,
          { app: app.name, deploymentId: app.latestDeployment.id, verb: 'Deploying' },
          { timeoutSeconds: options.timeout, isFollowingBuildLog: !options.quiet && !output.isJson },
        );
    },
  );

  action(
    program.command('status').description('one app: its status, address and deployments').argument('<app>'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, appArgument);
      const app = await (await connect()).call('getApp', { params: { name } });
      output.result(app, () => describeApp(app));
    },
  );

  action(
    program
      .command('open')
      .description("print the app's address; with --browser also open it (xdg-open)")
      .argument('<app>')
      .option('--browser', 'open the address in a browser with xdg-open'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, appArgument);
      const { browser } = optionsOf(command, z.object({ browser: z.boolean().default(false) }));
      const app = await (await connect()).call('getApp', { params: { name } });
      output.result({ url: app.url }, () => [app.url]);
      if (browser) await openInBrowser(io, app.url);
    },
  );
}

/**
 * Deleting cannot be undone: a person types the app's name (as the dashboard's dialog asks); a
 * script says --yes.
 */
export function addDeleteCommand(program: Command, io: CliIo): void {
  action(
    program
      .command('delete')
      .description(
        'delete the app: its containers, images, deployments, secrets and address (asks for its name, or --yes)',
      )
      .argument('<app>')
      .option('--yes', 'do not ask (for scripts)'),
    io,
    async ({ connect, output }, command) => {
      const [name] = argumentsOf(command, appArgument);
      const { yes } = optionsOf(command, z.object({ yes: z.boolean().default(false) }));
      if (!yes) {
        if (io.stdin.isTTY !== true)
          throw usageError(`Deleting ${name} cannot be undone: add --yes to delete it without being asked.`);
        const typed = await ask(io, `Type ${name} to delete it for good: `);
        if (typed !== name) throw usageError(`Nothing was deleted: "${typed}" is not ${name}.`);
      }
      const answer = await (await connect()).call('deleteApp', { params: { name } });
      output.result(answer, () => [answer.message]);
    },
  );
}

async function openInBrowser(io: CliIo, url: string): Promise<void> {
  const opener = await findOnPath(io.env, 'xdg-open');
  if (!opener)
    throw new CliError(
      'xdg-open is not installed here, so no browser was opened: open the address above yourself.',
      exitCodes.usage,
    );
  // Detached: the browser outlives the CLI, and its own output is not ours to print.
  spawn(opener, [url], { detached: true, stdio: 'ignore' }).unref();
}

async function findOnPath(env: NodeJS.ProcessEnv, program: string): Promise<string | undefined> {
  for (const folder of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(folder, program);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Columns padded to their widest cell. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  return rows.map((row) =>
    row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  '),
  );
}
