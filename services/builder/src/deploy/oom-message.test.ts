import { describe, expect, test } from 'vitest';
import { oomKillMessage } from './oom-message';

describe('oomKillMessage', () => {
  test('gives the peak beside the limit when the engine reports it', () => {
    expect(oomKillMessage({ isProcessKill: true, memoryLimitMb: 96, memoryPeakMb: 96 })).toBe(
      'A process of your app ran out of memory and was killed: it used at most 96 MB; its limit is 96 MB. Make it use less memory or raise the limit in Settings.',
    );
  });

  test('says the limit is what it used when there is no peak', () => {
    expect(oomKillMessage({ isProcessKill: false, memoryLimitMb: 512, memoryPeakMb: null })).toBe(
      'Your app ran out of memory: it used 512 MB, its limit. Make it use less memory or raise the limit in Settings.',
    );
    expect(oomKillMessage({ isProcessKill: false, memoryLimitMb: null, memoryPeakMb: null })).toMatch(
      /^Your app ran out of memory: it used all the memory it was given\./,
    );
  });
});
