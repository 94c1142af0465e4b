// One pass of the scaler, run by the reconciler after it converged (as the sleep pass): read the
// sessions the proxies count per replica, decide (decide-scale.ts), and start or stop replicas.

import { schema } from '@cove/shared/db/client';
import { builder } from '@cove/shared/lifecycle/record';
import { setReplicaCount } from '@cove/shared/lifecycle/replicas';
import { replicaIdOf } from '@cove/shared/lifecycle/routes';
import {
  forgetReplicaLastBusy,
  readReplicaLastBusy,
  readSessionCounts,
  replicaKey,
  seedReplicaLastBusy,
} from '@cove/shared/replicas/sessions';
import { replicasThatFit } from '@cove/shared/workspaces/limits';
import { eq } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import type { DesiredApp, ObservedContainer } from '../reconciler/decide';
import { decideScale, type ScaledApp } from './decide-scale';
import { startMoreReplicas, stopReplica } from './replica-set';

export async function scaleReplicas(
  context: BuilderContext,
  apps: readonly DesiredApp[],
  containers: readonly ObservedContainer[],
): Promise<void> {
  const { config, redis, logger } = context;
  const instance = config.COVE_INSTANCE;
  const nowMs = Date.now();
  const [sessions, lastBusy] = await Promise.all([
    readSessionCounts(redis, instance),
    readReplicaLastBusy(redis, instance),
  ]);
  const known = new Set<string>();
  const scaled: ScaledApp[] = apps.flatMap((app) => {
    const live = app.live;
    if (live === null || app.status !== 'running') return [];
    const replicas = containers
      .filter((container) => container.deploymentId === live.deploymentId && container.state === 'running')
      .sort((a, b) => Number(b.id === live.containerId) - Number(a.id === live.containerId))
      .map((container) => {
        const replicaId = replicaIdOf(container.id);
        known.add(replicaKey(app.id, replicaId));
        return {
          replicaId,
          sessions: sessions.get(app.id)?.get(replicaId) ?? 0,
          lastBusyMs: lastBusy.get(replicaKey(app.id, replicaId)) ?? null,
        };
      });
    return [
      {
        appId: app.id,
        ...app.replicaSettings,
        idleAfterSeconds: app.idle.freezeAfterSeconds ?? config.COVE_FREEZE_AFTER_SECONDS,
        replicas,
      },
    ];
  });
  // Replicas that stopped: their idle clocks go with them.
  const gone = [...lastBusy.keys()].filter((key) => !known.has(key));
  await forgetReplicaLastBusy(
    redis,
    instance,
    gone.flatMap((key) => {
      const [appId, replicaId] = key.split('/');
      return appId && replicaId ? [{ appId, replicaId }] : [];
    }),
  );

  for (const action of decideScale(scaled, nowMs)) {
    try {
      switch (action.kind) {
        case 'seed-idle-clock':
          await seedReplicaLastBusy(
            redis,
            instance,
            action.replicaIds.map((replicaId) => ({ appId: action.appId, replicaId })),
            nowMs,
          );
          break;
        case 'scale-to': {
          const app = apps.find((candidate) => candidate.id === action.appId);
          if (!app?.live) break;
          // The workspace's memory limit counts every awake replica: more start only as far as they fit.
          const [row] = await context.db
            .select({ workspaceId: schema.apps.workspaceId })
            .from(schema.apps)
            .where(eq(schema.apps.id, app.id));
          if (!row) break;
          const count = await replicasThatFit(context, row.workspaceId, app.id, action.count);
          if (count === app.replicaSettings.replicaCount) {
            logger.info(
              { appId: app.id, wanted: action.count },
              "more replicas would pass the workspace's memory limit",
            );
            break;
          }
          const reason =
            count === action.count
              ? action.reason
              : `${action.reason} Only ${count} fit the workspace's memory limit.`;
          const isCounted = await setReplicaCount(context, {
            app,
            liveDeploymentId: app.live.deploymentId,
            count,
            by: builder,
            reason,
          });
          if (isCounted) await startMoreReplicas(context, action.appId, count, builder);
          logger.info({ appId: action.appId, replicas: count }, reason);
          break;
        }
        case 'scale-down':
          if (await stopReplica(context, { ...action, by: builder })) {
            logger.info({ appId: action.appId, replicas: action.count }, action.reason);
          }
          break;
        default: {
          const unknown: never = action;
          throw new Error(`Unknown scale action ${JSON.stringify(unknown)}`);
        }
      }
    } catch (error) {
      logger.error({ err: error, action }, 'a scale action failed; the next pass tries again');
    }
  }
}
