// Which image a deployment's containers start from: the image id recorded when it was built, never
// a tag (a tag can be moved to another image). Rows from before ids were recorded name only a tag:
// it is resolved once, on their next start, and the id kept. Every start checks that the image was
// built for the app (its `cove.app-id` label), so a foreign image is refused whatever the row says.
import { schema } from '@cove/shared/db/client';
import { and, eq, isNull } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { permanentFailure } from '../failure';
import { labelKeys } from '../runtime/types';

const { deployments } = schema;

export interface DeploymentImage {
  id: string;
  imageId: string | null;
  imageTag: string | null;
}

/**
 * The id of the image the deployment runs, or null when that image is no longer on this host.
 * A row with only a tag gets the tag's current image id recorded, so later starts no longer read
 * the tag (whether that image is the app's own is checked at each start, by checkImageOwner).
 */
export async function deploymentImageId(
  context: BuilderContext,
  deployment: DeploymentImage,
): Promise<string | null> {
  const { db, runtime } = context;
  if (deployment.imageId !== null) return runtime.imageId(deployment.imageId);
  if (deployment.imageTag === null) return null;
  const resolved = await runtime.imageId(deployment.imageTag);
  if (resolved === null) return null;
  await db
    .update(deployments)
    .set({ imageId: resolved })
    .where(and(eq(deployments.id, deployment.id), isNull(deployments.imageId)));
  return resolved;
}

/** Throws a permanent DeployFailure unless the image was built for this app. */
export async function checkImageOwner(
  context: BuilderContext,
  target: { appId: string; imageId: string },
): Promise<void> {
  const image = await context.runtime.inspectImage(target.imageId);
  if (image === null) {
    throw permanentFailure(
      `The image of this version (${target.imageId}) is no longer on this host. Redeploy to rebuild it.`,
    );
  }
  if (image.labels[labelKeys.appId] !== target.appId) {
    throw permanentFailure(
      `Cove refused to start this version: its image (${target.imageId}) was built for another app, not this one. Redeploy to build the app's own image.`,
    );
  }
}
