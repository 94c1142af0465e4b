// How long the primary waits before replacing a worker that died: quickly for a one-off crash,
// longer and longer while workers keep dying soon after they start (a bad config, Redis gone).

export interface RestartBackoff {
  /** The delay before the next restart, given how long the worker that just died had run. */
  nextDelayMs(uptimeMs: number): number;
}

export function createRestartBackoff(
  options: { initialDelayMs?: number; maxDelayMs?: number; stableAfterMs?: number } = {},
): RestartBackoff {
  const initialDelayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  // A worker that ran this long was healthy: its death starts the sequence over.
  const stableAfterMs = options.stableAfterMs ?? 10_000;
  let consecutiveEarlyDeaths = 0;
  return {
    nextDelayMs(uptimeMs) {
      if (uptimeMs >= stableAfterMs) consecutiveEarlyDeaths = 0;
      const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** consecutiveEarlyDeaths);
      consecutiveEarlyDeaths += 1;
      return delayMs;
    },
  };
}
