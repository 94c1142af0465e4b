// Under memory pressure, which frozen apps to stop (a frozen app keeps its memory; a stopped one
// holds none): the least recently visited first, until what they hold covers the shortfall. The
// next pass reads the host's memory again, so an estimate that was too generous is made up then.

export interface FrozenApp {
  appId: string;
  containerId: string;
  /** Last visit (ms since the epoch); null when Cove has none: it counts as the oldest. */
  lastActivityMs: number | null;
  /** What stopping it is expected to free: its memory limit when nothing better is known. */
  memoryMb: number;
}

export interface MemoryPressureInput {
  /** The host's available memory (MemAvailable). */
  availableMemoryMb: number;
  /** Below this much available memory, frozen apps are stopped; 0 turns it off. */
  pressureBelowMb: number;
  frozenApps: readonly FrozenApp[];
}

export interface PressureStop {
  kind: 'stop';
  appId: string;
  containerId: string;
}

export function decideMemoryPressure(input: MemoryPressureInput): PressureStop[] {
  const shortfallMb = input.pressureBelowMb - input.availableMemoryMb;
  if (input.pressureBelowMb <= 0 || shortfallMb <= 0) return [];
  const leastRecentFirst = [...input.frozenApps].sort(
    (a, b) => (a.lastActivityMs ?? Number.NEGATIVE_INFINITY) - (b.lastActivityMs ?? Number.NEGATIVE_INFINITY),
  );
  const stops: PressureStop[] = [];
  let freedMb = 0;
  for (const app of leastRecentFirst) {
    if (freedMb >= shortfallMb) break;
    stops.push({ kind: 'stop', appId: app.appId, containerId: app.containerId });
    freedMb += app.memoryMb;
  }
  return stops;
}

/** MemAvailable from the text of /proc/meminfo, in MB; null when the line is missing. */
export function parseAvailableMemoryMb(meminfo: string): number | null {
  const match = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(meminfo);
  return match?.[1] === undefined ? null : Math.floor(Number(match[1]) / 1024);
}
