// The faults the suite injects, one at a time, each with the target it is judged by. A fault's
// inject() does the harm (or the change) and waits for what it started to finish; the suite then
// waits for the platform to settle and checks that nothing was lost.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { deploymentResponse } from '@cove/shared/contracts/api';
import type { GitServer } from '@cove/shared/testing/git-server';
import { waitUntil } from '../bench/lib/wait';
import { createDockerRuntime } from '../services/builder/src/runtime/docker';
import { labelKeys } from '../services/builder/src/runtime/types';
import type { ApiClient, LocalPlatform } from './platform';
import { stateDir } from './platform';
import {
  appsServeAgain,
  dashboardAgainWithin,
  noFailedRequest,
  servingAgainWithin,
  type Target,
} from './report';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');
const docker = createDockerRuntime(process.env.COVE_DOCKER_SOCKET ?? '/var/run/docker.sock');

export interface SuiteApp {
  name: string;
  id: string;
  /** Its repository on the suite's own git server (named like the app). */
  version: number;
}

export interface FaultContext {
  platform: LocalPlatform;
  api: ApiClient;
  git: GitServer;
  apps: readonly SuiteApp[];
}

export interface Fault {
  name: string;
  targets: readonly Target[];
  /** Also run by `make test` (the short form); the rest only by `make chaos`. */
  isShort: boolean;
  /** Returns a miss of the fault's own (e.g. the killed build did not complete), or null. */
  inject(context: FaultContext): Promise<string | null>;
}

export const appSource = (text: string) => `import streamlit as st

st.title("Fault suite")
st.write("${text}")
`;

/** A new commit of the app's repository, so a build has something new to build. */
async function pushNewVersion(context: FaultContext, app: SuiteApp, extraFiles: Record<string, string> = {}) {
  app.version += 1;
  return context.git.commit(
    app.name,
    { 'streamlit_app.py': appSource(`${app.name} version ${app.version}`), ...extraFiles },
    `version ${app.version}`,
  );
}

/** The app's running containers: one, except while a swap starts the next or drains the last. */
export async function servingContainerIds(app: SuiteApp): Promise<string[]> {
  const containers = await docker.list({ [labelKeys.appId]: app.id });
  return containers.flatMap((container) => (container.state === 'running' ? [container.id] : []));
}

/** The container serving the app, once the swap (if any) is over. */
async function servingContainerId(app: SuiteApp): Promise<string | undefined> {
  const running = await servingContainerIds(app);
  return running.length === 1 ? running[0] : undefined;
}

/** Waits until the app is running from a container other than `previousId`. */
async function waitForNewContainer(context: FaultContext, app: SuiteApp, previousId: string | undefined) {
  await waitUntil(
    async () => {
      const current = await servingContainerId(app);
      const view = await context.api.app(app.name);
      return current !== undefined && current !== previousId && view.status === 'running' ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250, description: `${app.name} running from a new container` },
  );
}

async function waitForLiveCommit(context: FaultContext, app: SuiteApp, sha: string, timeoutMs: number) {
  return waitUntil(
    async () => {
      const view = await context.api.app(app.name);
      if (view.currentDeployment?.commit === sha && view.status === 'running') return 'live';
      if (view.latestDeployment?.commit === sha && view.latestDeployment.status === 'failed')
        return `the build failed: ${view.latestDeployment.errorMessage}`;
      return undefined;
    },
    { timeoutMs, intervalMs: 250, description: `${app.name} serving commit ${sha.slice(0, 7)}` },
  );
}

const supervisorctl = (...args: string[]) =>
  run('supervisorctl', ['-c', path.join(stateDir, 'supervisord.conf'), ...args]);

/** What a crash does: the process dies at once; supervisord is left to notice and start it again. */
function killProgram(program: string): (context: FaultContext) => Promise<null> {
  return async () => {
    await supervisorctl('signal', 'KILL', program);
    await waitUntil(
      async () => ((await supervisorctl('status', program)).stdout.includes('RUNNING') ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 100, description: `${program} running again under supervisord` },
    );
    return null;
  };
}

/** The set-up starts whatever backing service is not running (Docker, Postgres, Redis). */
async function startServicesAgain(): Promise<void> {
  await run(path.join(repoRoot, 'infra/local/services.sh'), [], { cwd: repoRoot });
}

async function waitForExit(pid: number, description: string): Promise<void> {
  await waitUntil(
    () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    },
    { timeoutMs: 60_000, intervalMs: 100, description },
  );
}

const first = (context: FaultContext): SuiteApp => {
  const app = context.apps[0];
  if (!app) throw new Error('the fault suite has no apps');
  return app;
};

export const faults: readonly Fault[] = [
  {
    name: 'redeploy',
    targets: [noFailedRequest],
    isShort: true,
    inject: async (context) => {
      const app = first(context);
      const sha = await pushNewVersion(context, app);
      await context.api.call('POST', `/apps/${app.name}/deployments`);
      const outcome = await waitForLiveCommit(context, app, sha, 240_000);
      return outcome === 'live' ? null : outcome;
    },
  },
  {
    name: 'reboot',
    targets: [noFailedRequest],
    isShort: true,
    inject: async (context) => {
      const app = first(context);
      const before = await servingContainerId(app);
      await context.api.call('POST', `/apps/${app.name}/reboot`);
      await waitForNewContainer(context, app, before);
      return null;
    },
  },
  {
    name: 'secrets save',
    targets: [noFailedRequest],
    isShort: true,
    inject: async (context) => {
      const app = first(context);
      const before = await servingContainerId(app);
      await context.api.call('PUT', `/apps/${app.name}/secrets`, {
        text: `greeting = "saved at ${new Date().toISOString()}"\n`,
      });
      await waitForNewContainer(context, app, before);
      return null;
    },
  },
  {
    name: 'rollback',
    targets: [noFailedRequest],
    isShort: false,
    inject: async (context) => {
      const app = first(context);
      const current = (await context.api.app(app.name)).currentDeployment;
      const previous = (await context.api.deployments(app.name)).find(
        (deployment) => deployment.hasServed && deployment.id !== current?.id,
      );
      if (!previous) return 'no earlier version to roll back to';
      // A rollback is a deployment of its own (trigger 'rollback') that starts the earlier image.
      const { deployment: rollback } = deploymentResponse.parse(
        await context.api.call('POST', `/apps/${app.name}/deployments/${previous.id}/rollback`),
      );
      await waitUntil(
        async () => {
          const view = await context.api.app(app.name);
          const latest = view.latestDeployment;
          if (latest?.id === rollback.id && latest.status === 'failed')
            throw new Error(`the rollback failed: ${latest.errorMessage}`);
          return view.currentDeployment?.id === rollback.id && view.status === 'running' ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, description: `${app.name} rolled back` },
      );
      return null;
    },
  },
  {
    name: 'settings change',
    targets: [noFailedRequest],
    isShort: false,
    inject: async (context) => {
      const app = first(context);
      const before = await servingContainerId(app);
      const { resources } = await context.api.app(app.name);
      await context.api.call('PATCH', `/apps/${app.name}`, {
        json: { memoryMb: resources.memoryMb === 512 ? 640 : 512 },
      });
      await waitForNewContainer(context, app, before);
      return null;
    },
  },
  {
    name: 'proxy SIGKILL',
    targets: [servingAgainWithin(3)],
    isShort: true,
    inject: killProgram('proxy'),
  },
  {
    name: 'builder SIGKILL',
    targets: [noFailedRequest],
    isShort: true,
    inject: killProgram('builder'),
  },
  {
    name: 'dashboard SIGKILL',
    targets: [noFailedRequest, dashboardAgainWithin(5)],
    isShort: false,
    inject: killProgram('dashboard'),
  },
  {
    name: 'builder killed mid-build',
    targets: [noFailedRequest],
    isShort: false,
    inject: async (context) => {
      const app = context.apps[1] ?? first(context);
      // A dependency change, so the build has a step that takes a while to be killed in.
      const sha = await pushNewVersion(context, app, {
        'requirements.txt': `# version ${app.version + 1}\ntomli-w\n`,
      });
      await context.api.call('POST', `/apps/${app.name}/deployments`);
      const seen = await waitUntil(
        async () => {
          const latest = (await context.api.app(app.name)).latestDeployment;
          if (latest?.commit !== sha) return undefined;
          if (latest.status === 'building') return 'building';
          return latest.status === 'queued' ? undefined : latest.status;
        },
        { timeoutMs: 120_000, intervalMs: 100, description: `${app.name} building ${sha.slice(0, 7)}` },
      );
      if (seen !== 'building') return `the build was ${seen} before the builder could be killed in it`;
      await killProgram('builder')(context);
      const outcome = await waitForLiveCommit(context, app, sha, 300_000);
      return outcome === 'live' ? null : `the interrupted build did not complete by itself: ${outcome}`;
    },
  },
  {
    name: 'Redis restart',
    targets: [noFailedRequest, dashboardAgainWithin(5)],
    isShort: false,
    inject: async (context) => {
      const port = new URL(context.platform.redisUrl).port;
      // redis-cli reports the connection Redis closes as it shuts down as an error.
      await run('redis-cli', ['-p', port, 'shutdown']).catch(() => undefined);
      await startServicesAgain();
      return null;
    },
  },
  {
    name: 'Postgres restart',
    targets: [noFailedRequest, dashboardAgainWithin(5)],
    isShort: false,
    inject: async () => {
      const pgBin = (
        await run('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'])
      ).stdout.trim();
      await run('runuser', [
        '-u',
        'postgres',
        '--',
        `${pgBin}/pg_ctl`,
        '-D',
        path.join(stateDir, 'postgres'),
        '-m',
        'fast',
        'stop',
      ]);
      await startServicesAgain();
      return null;
    },
  },
  {
    name: 'dockerd restart',
    targets: [appsServeAgain],
    isShort: false,
    inject: async () => {
      const pid = Number((await readFile('/var/run/docker.pid', 'utf8')).trim());
      process.kill(pid, 'SIGTERM');
      await waitForExit(pid, 'dockerd to stop');
      await startServicesAgain();
      return null;
    },
  },
];
