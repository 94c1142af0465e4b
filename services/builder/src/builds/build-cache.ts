// BuildKit keeps every step's result and every workspace's uv cache until told otherwise: after each
// build the engine's build cache is trimmed to COVE_BUILD_CACHE_MAX_MB, least recently used first.
import type { BuilderContext } from '../context';

const bytesPerMb = 1024 * 1024;

/** A failure is logged, never thrown: the build it follows is done either way. */
export async function trimBuildCache(context: BuilderContext): Promise<void> {
  const { config, runtime, logger } = context;
  try {
    const { reclaimedBytes } = await runtime.pruneBuildCache(config.COVE_BUILD_CACHE_MAX_MB * bytesPerMb);
    if (reclaimedBytes > 0) {
      logger.info(
        { reclaimedMb: Math.round(reclaimedBytes / bytesPerMb), maxMb: config.COVE_BUILD_CACHE_MAX_MB },
        'trimmed the build cache',
      );
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not trim the build cache');
  }
}
