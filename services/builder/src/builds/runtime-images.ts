// Which runtime image builds an app: the one whose Python the app asks for. The operator lists the
// images with their Python (COVE_RUNTIME_IMAGES, the default first); each image is asked which
// Python it really has, and one that does not have the Python it is listed with is refused.
import type { BuilderConfig } from '@cove/shared/config/schemas';
import { transientFailure } from '../failure';
import { minorOf } from './python-version';

export interface OfferedRuntime {
  /** The full version the image has, e.g. 3.13.5. */
  pythonVersion: string;
  image: string;
}

/** The images to offer, the default first; without a list, COVE_RUNTIME_IMAGE alone. */
export function listedRuntimeImages(
  config: Pick<BuilderConfig, 'COVE_RUNTIME_IMAGE' | 'COVE_RUNTIME_IMAGES'>,
): { pythonVersion: string | null; image: string }[] {
  if (config.COVE_RUNTIME_IMAGES.length === 0)
    return [{ pythonVersion: null, image: config.COVE_RUNTIME_IMAGE }];
  return config.COVE_RUNTIME_IMAGES;
}

/** Asks each listed image its Python (`versionOf`), checking it against the list. */
export async function offeredRuntimes(
  config: Pick<BuilderConfig, 'COVE_RUNTIME_IMAGE' | 'COVE_RUNTIME_IMAGES'>,
  versionOf: (image: string) => Promise<string>,
): Promise<OfferedRuntime[]> {
  const offered: OfferedRuntime[] = [];
  for (const listed of listedRuntimeImages(config)) {
    const pythonVersion = await versionOf(listed.image);
    if (listed.pythonVersion !== null && minorOf(pythonVersion) !== listed.pythonVersion) {
      throw transientFailure(
        `The runtime image ${listed.image} has Python ${pythonVersion}, not ${listed.pythonVersion} as COVE_RUNTIME_IMAGES says. Fix the list or the image.`,
      );
    }
    offered.push({ pythonVersion, image: listed.image });
  }
  return offered;
}
