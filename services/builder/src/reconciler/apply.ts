// Carries out the reconciler's actions against Postgres, the engine and the route table. Each
// action is checked again against the database just before it runs (a build may have moved on
// since the snapshot was read), and one failing action does not stop the others.
import { schema } from '@cove/shared/db/client';
import { markCrashed } from '@cove/shared/lifecycle/app-status';
import { recordLiveContainer } from '@cove/shared/lifecycle/go-live';
import { reconciler } from '@cove/shared/lifecycle/record';
import { forgetRoute, restoreRoute } from '@cove/shared/lifecycle/routes';
import { isInProgress } from '@cove/shared/lifecycle/states';
import { appendLogLines } from '@cove/shared/logs/deployment-logs';
import { eq } from 'drizzle-orm';
import { resumeInterruptedBuild } from '../builds/interruptions';
import type { BuilderContext } from '../context';
import { restartLiveDeployment } from '../deploy/restart';
import { startMoreReplicas } from '../replicas/replica-set';
import type { ReconcileAction } from './decide';

const { apps, deployments } = schema;

async function applyAction(context: BuilderContext, action: ReconcileAction): Promise<void> {
  const { db, redis, runtime, config } = context;
  const instance = config.COVE_INSTANCE;
  switch (action.kind) {
    // The row's own count decides between the two, as for a build job that finds its row
    // interrupted; a builder that refreshed the heartbeat since the snapshot keeps it. Back in
    // 'queued', its job is seen to by requeueLostBuilds later in the same pass.
    case 'rebuild-deployment':
    case 'fail-deployment': {
      await resumeInterruptedBuild(context, action.deploymentId, action.containerIds, reconciler);
      return;
    }
    case 'remove-container': {
      const [deployment] = action.deploymentId
        ? await db
            .select({ status: deployments.status })
            .from(deployments)
            .where(eq(deployments.id, action.deploymentId))
        : [];
      // A build that started after the snapshot was read owns its container.
      if (deployment && isInProgress(deployment.status)) return;
      await runtime.remove(action.containerId);
      return;
    }
    case 'mark-crashed': {
      // Into the runtime log too, after what the app printed, so the log tells why it stopped.
      await appendLogLines(db, redis, instance, action.deploymentId, 'runtime', [`Cove: ${action.message}`]);
      await markCrashed(db, {
        appId: action.appId,
        liveDeploymentId: action.deploymentId,
        message: action.message,
        by: reconciler,
      });
      return;
    }
    case 'start-live': {
      await restartLiveDeployment(context, action.appId, 'recover', reconciler);
      return;
    }
    case 'start-replicas': {
      await startMoreReplicas(context, action.appId, action.total, reconciler);
      return;
    }
    case 'record-container': {
      await recordLiveContainer(db, {
        deploymentId: action.deploymentId,
        id: action.containerId,
        endpoint: action.endpoint,
      });
      return;
    }
    case 'write-route': {
      const [app] = await db
        .select({ liveDeploymentId: apps.liveDeploymentId })
        .from(apps)
        .where(eq(apps.id, action.entry.appId));
      if (!app || app.liveDeploymentId !== action.liveDeploymentId) return;
      await restoreRoute(context, action.entry);
      return;
    }
    case 'remove-route': {
      await forgetRoute(context, action.appName);
      return;
    }
    default: {
      const unknown: never = action;
      throw new Error(`Unknown reconcile action ${JSON.stringify(unknown)}`);
    }
  }
}

export async function applyActions(
  context: BuilderContext,
  actions: readonly ReconcileAction[],
): Promise<void> {
  for (const action of actions) {
    try {
      await applyAction(context, action);
      context.logger.info({ action }, 'reconciled');
    } catch (error) {
      context.logger.error({ err: error, action }, 'a reconcile action failed; the next pass tries again');
    }
  }
}
