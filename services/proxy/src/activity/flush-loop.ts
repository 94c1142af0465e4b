// The proxy's recorders keep what they count in memory and write it out on a timer: one flush at a
// time (the next is scheduled once the last has settled), never holding the process open.

export interface FlushLoop {
  start(): void;
  /** Stops the timer and flushes one last time. */
  stop(): Promise<void>;
}

export function flushEvery(intervalMs: number, flush: () => Promise<void>): FlushLoop {
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  return {
    start() {
      const tick = () => {
        if (isStopped) return;
        timer = setTimeout(() => void flush().finally(tick), intervalMs);
        timer.unref();
      };
      tick();
    },
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}
