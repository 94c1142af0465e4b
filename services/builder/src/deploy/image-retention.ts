// Old app images go, by the retention setting: the images of the newest COVE_IMAGE_RETENTION
// successful deployments stay as rollback targets, and the live and the previous version's images
// stay whatever the setting says. Runs after each deploy that went live.
import { schema } from '@cove/shared/db/client';
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { labelKeys } from '../runtime/types';

const { apps, deployments } = schema;

export interface SuccessfulDeployment {
  id: string;
  /** The image id, or the tag of a row from before ids were recorded. */
  image: string;
}

/** The images to keep: `successful` is newest first; the live one need not be the newest. */
export function imagesToKeep(
  successful: readonly SuccessfulDeployment[],
  liveDeploymentId: string | null,
  retention: number,
): Set<string> {
  const kept = new Set<string>();
  const live = successful.find((deployment) => deployment.id === liveDeploymentId);
  if (live) {
    kept.add(live.image);
    const previous = successful.find(
      (deployment) => deployment.id !== live.id && deployment.image !== live.image,
    );
    if (previous) kept.add(previous.image);
  }
  const newest = new Set<string>();
  for (const deployment of successful) {
    if (newest.size >= retention) break;
    newest.add(deployment.image);
  }
  for (const tag of newest) kept.add(tag);
  return kept;
}

/** Removes the app's images past the retention setting; a failure is logged, never thrown. */
export async function collectOldImages(context: BuilderContext, appId: string): Promise<void> {
  const { config, db, runtime, logger } = context;
  try {
    const [app] = await db.select().from(apps).where(eq(apps.id, appId));
    if (!app) return;
    const rows = await db
      .select({ id: deployments.id, imageId: deployments.imageId, imageTag: deployments.imageTag })
      .from(deployments)
      .where(
        and(
          eq(deployments.appId, appId),
          inArray(deployments.status, ['running', 'superseded']),
          isNotNull(deployments.imageTag),
          // Only deployments that served: a build superseded before it went live has no container.
          isNotNull(deployments.containerId),
        ),
      )
      .orderBy(desc(deployments.createdAt));
    const successful = rows.flatMap((row) => {
      const image = row.imageId ?? row.imageTag;
      return image ? [{ id: row.id, image }] : [];
    });
    const keptIds = new Set<string>();
    for (const image of imagesToKeep(successful, app.liveDeploymentId, config.COVE_IMAGE_RETENTION)) {
      const id = await runtime.imageId(image);
      if (id !== null) keptIds.add(id);
    }
    const images = await runtime.listImages({
      [labelKeys.instance]: config.COVE_INSTANCE,
      [labelKeys.appId]: appId,
    });
    for (const imageId of images) {
      if (keptIds.has(imageId)) continue;
      await runtime.removeImage(imageId);
      logger.info({ appId, imageId }, 'removed an old app image');
    }
  } catch (error) {
    logger.warn({ err: error, appId }, 'could not remove old app images');
  }
}
