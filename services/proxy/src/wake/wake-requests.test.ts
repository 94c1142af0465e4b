import type { AppOperationPayload } from '@cove/shared/jobs/catalogue';
import { createLogger } from '@cove/shared/logs/logger';
import { describe, expect, it } from 'vitest';
import { createWakeRequests } from './wake-requests';

const appId = '00000000-0000-4000-8000-00000000000a';
const otherId = '00000000-0000-4000-8000-00000000000b';

function setUp() {
  const asked: AppOperationPayload[] = [];
  let clockMs = 1_000;
  const wakes = createWakeRequests({
    queues: {
      enqueueAppOperation: async (payload) => {
        asked.push(payload);
      },
    },
    logger: createLogger('test', 'silent'),
    reaskAfterMs: 3000,
    now: () => clockMs,
  });
  return { wakes, asked, advance: (ms: number) => (clockMs += ms) };
}

describe('wake requests', () => {
  it('asks once for a burst of requests for the same app', () => {
    const { wakes, asked } = setUp();
    for (let index = 0; index < 20; index += 1) wakes.request(appId);
    expect(asked).toEqual([{ appId, operation: 'wake' }]);
  });

  it('asks for each app separately', () => {
    const { wakes, asked } = setUp();
    wakes.request(appId);
    wakes.request(otherId);
    expect(asked.map((payload) => payload.appId)).toEqual([appId, otherId]);
  });

  it('asks again at once for an app that woke and fell asleep again', () => {
    const { wakes, asked, advance } = setUp();
    wakes.request(appId);
    advance(100);
    wakes.answered(appId);
    wakes.request(appId);
    expect(asked).toHaveLength(2);
  });

  it('an answer for one app leaves the ask for another standing', () => {
    const { wakes, asked } = setUp();
    wakes.request(appId);
    wakes.request(otherId);
    wakes.answered(otherId);
    wakes.request(appId);
    expect(asked.map((payload) => payload.appId)).toEqual([appId, otherId]);
  });

  it('asks again once the interval has passed', () => {
    const { wakes, asked, advance } = setUp();
    wakes.request(appId);
    advance(2999);
    wakes.request(appId);
    advance(1);
    wakes.request(appId);
    expect(asked).toHaveLength(2);
  });
});
