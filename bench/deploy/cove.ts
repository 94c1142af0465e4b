// Cove's side of the deploy benchmark: a database, Redis prefix and instance of its own, a local git
// forge, the builder and the proxy started in-process. Deploys are triggered as the dashboard does:
// createApp for the first one, then handlePushWebhook with a signed GitHub push event per commit.
import { randomUUID } from 'node:crypto';
import { createApp, readWebhookSecret } from '@cove/shared/apps/create';
import { handlePushWebhook } from '@cove/shared/apps/push-webhook';
import { schema } from '@cove/shared/db/client';
import type { TestContext } from '@cove/shared/testing/context';
import { signGitHubPayload } from '@cove/shared/webhooks/github';
import { asc, eq } from 'drizzle-orm';
import { startCoveWorld } from '../lib/cove-world';
import { sleep } from '../lib/wait';
import { waitForMarker } from './live';

export interface CoveDeployResult {
  milliseconds: number;
  deploymentId: string;
  /** The deployment's build log, for the phase timings it prints. */
  buildLog: string[];
}

export interface CoveSide {
  instance: string;
  createRepo(name: string, files: Record<string, string>): Promise<void>;
  /** Creates the app (its first deploy) and waits until marker answers through the proxy. */
  firstDeploy(name: string, marker: string, timeoutMs: number): Promise<CoveDeployResult>;
  /** Commits files, delivers the push webhook, waits until marker answers through the proxy. */
  push(
    name: string,
    files: Record<string, string>,
    marker: string,
    timeoutMs: number,
  ): Promise<CoveDeployResult>;
  stop(): Promise<void>;
}

const { apps, deployments, deploymentLogs } = schema;

async function readBuildLog(context: TestContext, deploymentId: string): Promise<string[]> {
  const rows = await context.db
    .select({ line: deploymentLogs.line })
    .from(deploymentLogs)
    .where(eq(deploymentLogs.deploymentId, deploymentId))
    .orderBy(asc(deploymentLogs.id));
  return rows.map((row) => row.line);
}

async function failureOf(context: TestContext, deploymentId: string): Promise<string | null> {
  const [row] = await context.db.select().from(deployments).where(eq(deployments.id, deploymentId));
  return row?.status === 'failed' ? (row.errorMessage ?? 'failed') : null;
}

export async function startCoveSide(overrides: Record<string, string>): Promise<CoveSide> {
  const world = await startCoveWorld('deploy-bench', overrides);
  const { context, git: forge, proxyPort, deps, stop } = world;

  async function waitLive(
    name: string,
    deploymentId: string,
    marker: string,
    startedAt: number,
    timeoutMs: number,
  ) {
    const milliseconds = await waitForMarker(
      async () => {
        const failure = await failureOf(context, deploymentId);
        if (failure !== null) throw new Error(`Cove's deployment of ${name} failed: ${failure}`);
        return { port: proxyPort, host: `${name}.localhost` };
      },
      marker,
      startedAt,
      timeoutMs,
    );
    // The build log is written in batches: its last lines may land just after the route switched.
    let buildLog = await readBuildLog(context, deploymentId);
    for (let tries = 0; tries < 50 && !buildLog.some((line) => line.startsWith('Timings:')); tries += 1) {
      await sleep(100);
      buildLog = await readBuildLog(context, deploymentId);
    }
    return { milliseconds, deploymentId, buildLog };
  }

  return {
    instance: context.instance,
    async createRepo(name, files) {
      await forge.createRepo(name, files);
    },
    async firstDeploy(name, marker, timeoutMs) {
      const startedAt = Date.now();
      const created = await createApp(deps, world.workspaceId, {
        name,
        repoUrl: forge.repoUrl(name),
        branch: 'main',
        mainFile: 'streamlit_app.py',
      });
      const deploymentId = created.latestDeployment?.id;
      if (deploymentId === undefined) throw new Error('createApp queued no deployment');
      return waitLive(name, deploymentId, marker, startedAt, timeoutMs);
    },
    async push(name, files, marker, timeoutMs) {
      const sha = await forge.commit(name, files, `bench: ${marker}`);
      const startedAt = Date.now();
      const [app] = await context.db.select().from(apps).where(eq(apps.name, name));
      if (!app) throw new Error(`no app ${name}`);
      const body = Buffer.from(
        JSON.stringify({
          ref: 'refs/heads/main',
          after: sha,
          head_commit: {
            id: sha,
            message: `bench: ${marker}`,
            author: { name: 'Bench', email: 'bench@example.com' },
          },
        }),
      );
      const headers = new Headers({
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signGitHubPayload(readWebhookSecret(deps, app), body),
      });
      const accepted = await handlePushWebhook(deps, name, headers, body);
      const deploymentId = accepted.body.deploymentId;
      if (deploymentId === null) throw new Error(`the push was not deployed: ${accepted.body.message}`);
      return waitLive(name, deploymentId, marker, startedAt, timeoutMs);
    },
    stop,
  };
}
