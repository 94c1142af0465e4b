// The journeys' browser does not see the host's network change (browser-network/relay.ts): pages
// load whole while interfaces come and go on the host, as they do whenever Docker starts or stops a
// container. Chromium on the host's own network drops its loads with net::ERR_NETWORK_CHANGED here.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, test } from './fixtures';
import { platform } from './platform';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/**
 * What Docker does for each container, over and over: a veth pair appears with an address, comes
 * up and goes. The address is from the benchmarking range (198.18/15) on a link with no route out:
 * nothing is ever sent to it.
 */
function churnInterfaces(): { stop: () => Promise<void> } {
  const name = `cove-e2e-${randomBytes(2).toString('hex')}`;
  let isStopped = false;
  const running = (async () => {
    for (let round = 0; round < 400 && !isStopped; round++) {
      try {
        ip('link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
        ip('addr', 'add', '198.18.255.1/32', 'dev', name);
        ip('link', 'set', name, 'up');
        ip('link', 'set', `${name}p`, 'up');
      } finally {
        ip('link', 'del', name);
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  })();
  return {
    stop: async () => {
      isStopped = true;
      await running;
    },
  };
}

test('pages load whole while the host adds and removes network interfaces', async ({ page }) => {
  const dropped: string[] = [];
  page.on('requestfailed', (request) => {
    const errorText = request.failure()?.errorText ?? '';
    if (errorText.includes('ERR_NETWORK_CHANGED')) dropped.push(`${request.url()}: ${errorText}`);
  });
  const churn = churnInterfaces();
  try {
    // The sample app `make up` deployed: a Streamlit page loads many scripts, over a second or two.
    for (let load = 0; load < 8; load++) {
      await page.goto(platform.appUrl('hello'));
      await expect(page.getByRole('heading', { name: 'Hello from Cove' })).toBeVisible({ timeout: 60_000 });
    }
  } finally {
    await churn.stop();
  }
  expect(dropped).toEqual([]);
});
