// Opening an app's page on the host that runs its container. Chromium drops every load in flight
// when the host's network interfaces change (net::ERR_NETWORK_CHANGED), and Docker adds one for
// each container it starts here; a viewer on another machine never sees this. So a page whose loads
// were dropped that way is loaded again (at most twice); any other failure stays a failure.
import { expect, type Locator, type Page, type Request } from '@playwright/test';

const networkChanged = 'ERR_NETWORK_CHANGED';

/** Runs `load` (a goto or a reload) until `expected` is visible, again only after a network change. */
export async function loadAppPage(
  page: Page,
  load: () => Promise<unknown>,
  expected: Locator,
  timeout = 60_000,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let signalDropped = () => {};
    const dropped = new Promise<'dropped'>((resolve) => {
      signalDropped = () => resolve('dropped');
    });
    const onFailed = (request: Request) => {
      if (request.failure()?.errorText.includes(networkChanged)) signalDropped();
    };
    page.on('requestfailed', onFailed);
    try {
      await load().catch((error: unknown) => {
        if (!String(error).includes(networkChanged)) throw error;
        signalDropped();
      });
      const shown = expect(expected)
        .toBeVisible({ timeout })
        .then(() => 'shown' as const);
      // Whichever comes first: the content, or a load dropped by a network change (then load again).
      const outcome = attempt < 3 ? await Promise.race([shown, dropped]) : await shown;
      if (outcome === 'shown') return;
      shown.catch(() => {});
    } finally {
      page.off('requestfailed', onFailed);
    }
  }
}

export function openAppPage(page: Page, url: string, expected: Locator, timeout?: number): Promise<void> {
  return loadAppPage(page, () => page.goto(url), expected, timeout);
}
