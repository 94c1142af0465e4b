// What a deleted app leaves in the engine besides its containers (which the reconcile actions
// remove): its images, the dependency images its builds installed, and its network. Removed once
// Postgres no longer knows the app.
import { schema } from '@cove/shared/db/client';
import { inArray } from 'drizzle-orm';
import type { BuilderContext } from '../context';
import { appNetworkName } from '../deploy/container';
import { labelKeys } from '../runtime/types';

/** Removes the images and networks of apps that no longer exist (checked again just before). */
export async function pruneDeletedApps(
  context: BuilderContext,
  knownAppIds: ReadonlySet<string>,
): Promise<void> {
  const { config, db, runtime, logger } = context;
  const instanceLabels = { [labelKeys.instance]: config.COVE_INSTANCE };
  const networkPrefix = appNetworkName(config.COVE_INSTANCE, '');
  const images = (await runtime.listImagesWithLabels(instanceLabels)).flatMap((image) => {
    // App images carry the app's id; dependency images the id of the app whose build made them
    // (app images built on one inherit that label blanked).
    const appId = image.labels[labelKeys.appId] || image.labels[labelKeys.dependenciesOf];
    return appId === undefined || appId === '' || knownAppIds.has(appId) ? [] : [{ id: image.id, appId }];
  });
  const networks = (await runtime.listNetworks(instanceLabels)).flatMap((name) => {
    const appId = name.startsWith(networkPrefix) ? name.slice(networkPrefix.length) : '';
    return appId === '' || knownAppIds.has(appId) ? [] : [{ name, appId }];
  });
  const candidates = [...new Set([...images, ...networks].map((object) => object.appId))];
  if (candidates.length === 0) return;
  // An app created after the snapshot was read may already have built an image.
  const existing = await db
    .select({ id: schema.apps.id })
    .from(schema.apps)
    .where(inArray(schema.apps.id, candidates));
  const stillThere = new Set(existing.map((row) => row.id));
  for (const image of images) {
    if (stillThere.has(image.appId)) continue;
    await runtime.removeImage(image.id);
    logger.info({ appId: image.appId, imageId: image.id }, "removed a deleted app's image");
  }
  for (const network of networks) {
    if (stillThere.has(network.appId)) continue;
    try {
      await runtime.removeNetwork(network.name);
    } catch (error) {
      // A container still attached (being removed): the next pass tries again.
      logger.warn({ err: error, appId: network.appId }, "could not remove a deleted app's network yet");
    }
  }
}
