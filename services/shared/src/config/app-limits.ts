// The one rule for an app's container limits: the app's own setting, else the platform's default
// (COVE_APP_MEMORY_MB, COVE_APP_CPUS); and the most an app may ask for (COVE_APP_MAX_*, never
// below the default). Beside the defaults it reads, for every part that needs it.
import type { CommonConfig } from './schemas';

export interface AppLimits {
  memoryMb: number;
  cpus: number;
}

type LimitDefaults = Pick<CommonConfig, 'COVE_APP_MEMORY_MB' | 'COVE_APP_CPUS'>;

export function appLimits(
  config: LimitDefaults,
  app: { memoryMb: number | null; cpus: number | null },
): AppLimits {
  return { memoryMb: app.memoryMb ?? config.COVE_APP_MEMORY_MB, cpus: app.cpus ?? config.COVE_APP_CPUS };
}

export function appLimitBounds(
  config: LimitDefaults & Pick<CommonConfig, 'COVE_APP_MAX_MEMORY_MB' | 'COVE_APP_MAX_CPUS'>,
): { maxMemoryMb: number; maxCpus: number } {
  return {
    maxMemoryMb: Math.max(config.COVE_APP_MAX_MEMORY_MB, config.COVE_APP_MEMORY_MB),
    maxCpus: Math.max(config.COVE_APP_MAX_CPUS, config.COVE_APP_CPUS),
  };
}
