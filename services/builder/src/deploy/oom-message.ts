// What an app's author reads when the kernel killed their app (or a process of it) for memory.

/** How much memory the app had when it was killed, saying whether it is the peak or the limit. */
export function oomKillMessage(input: {
  /** Seen as it happened: a process was killed, and the app may or may not stop with it. */
  isProcessKill: boolean;
  memoryLimitMb: number | null;
  memoryPeakMb: number | null;
}): string {
  const { memoryLimitMb, memoryPeakMb } = input;
  const used =
    memoryPeakMb !== null && memoryLimitMb !== null
      ? `it used at most ${memoryPeakMb} MB; its limit is ${memoryLimitMb} MB`
      : memoryLimitMb !== null
        ? `it used ${memoryLimitMb} MB, its limit`
        : 'it used all the memory it was given';
  const what = input.isProcessKill
    ? 'A process of your app ran out of memory and was killed'
    : 'Your app ran out of memory';
  return `${what}: ${used}. Make it use less memory or raise the limit in Settings.`;
}
