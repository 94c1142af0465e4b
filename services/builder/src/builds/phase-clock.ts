// Where a deploy's seconds go: each step of a build laps the clock, and the build log ends with one
// "Timings:" line (queue, clone, context, image, start, switch) that people and the bench read.

export class PhaseClock {
  private readonly laps: { phase: string; milliseconds: number }[] = [];
  private lastAt: number;

  /** queuedAt: when the deployment was queued, so the wait for a worker shows as its own phase. */
  constructor(
    queuedAt: Date | null,
    private readonly now: () => number = Date.now,
  ) {
    this.lastAt = now();
    if (queuedAt !== null) this.laps.push({ phase: 'queue', milliseconds: this.lastAt - queuedAt.getTime() });
  }

  /** Ends the phase that ran since the previous lap. */
  lap(phase: string): void {
    const at = this.now();
    this.laps.push({ phase, milliseconds: at - this.lastAt });
    this.lastAt = at;
  }

  /** "Timings: queue 0.05 s, clone 0.12 s, ... (total 2.41 s)" */
  summary(): string {
    const total = this.laps.reduce((sum, lap) => sum + lap.milliseconds, 0);
    const seconds = (milliseconds: number) => `${(Math.max(0, milliseconds) / 1000).toFixed(2)} s`;
    const parts = this.laps.map((lap) => `${lap.phase} ${seconds(lap.milliseconds)}`);
    return `Timings: ${parts.join(', ')} (total ${seconds(total)})`;
  }
}
