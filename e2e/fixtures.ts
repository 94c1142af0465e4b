// The journeys' `test` and `step`: Playwright's, with a screenshot of every open page at 1280 px and
// at 390 px wide after each step, saved with the run's results (.cove/e2e-results/<test>/screenshots/), so a
// person can look at every page a journey visited at both widths without running it.
import { type Browser, test as base, type Page, type TestInfo } from '@playwright/test';

export { expect } from '@playwright/test';

const widths = [1280, 390] as const;

interface Recorder {
  browser: Browser;
  testInfo: TestInfo;
  count: number;
}

let recorder: Recorder | null = null;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

async function screenshotAtWidths(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  try {
    for (const width of widths) {
      await page.setViewportSize({ width, height: viewport.height });
      await page.screenshot({
        path: testInfo.outputPath('screenshots', `${name}-${width}px.png`),
        fullPage: true,
        animations: 'disabled',
      });
    }
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Every open page of every context, after a step. */
async function captureAll(stepTitle: string): Promise<void> {
  const current = recorder;
  if (current === null) return;
  current.count += 1;
  const pages = current.browser.contexts().flatMap((context) => context.pages());
  let index = 0;
  for (const page of pages) {
    if (page.isClosed() || page.url() === 'about:blank') continue;
    index += 1;
    const name = `${String(current.count).padStart(2, '0')}-${slug(stepTitle)}-page${index}`;
    try {
      await screenshotAtWidths(page, name, current.testInfo);
    } catch (error) {
      // A page that navigates away mid-shot is not the journey's failure; the run says which shot is missing.
      current.testInfo.annotations.push({
        type: 'screenshot missing',
        description: `${name} (${page.url()}): ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
}

export const test = base.extend<{ screenshots: undefined }>({
  screenshots: [
    // `context` too, so that the default page is still open after the test, for its last shot.
    async ({ browser, context: _defaultContext }, use, testInfo) => {
      recorder = { browser, testInfo, count: 0 };
      await use(undefined);
      await captureAll('end');
      recorder = null;
    },
    { auto: true },
  ],
});

/** test.step, then a screenshot of every open page at both widths. */
export async function step<T>(title: string, body: () => Promise<T>): Promise<T> {
  return test.step(title, async () => {
    const result = await body();
    await captureAll(title);
    return result;
  });
}
