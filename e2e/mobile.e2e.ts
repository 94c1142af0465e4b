// A phone, 390 px wide: no dashboard page scrolls sideways. The top bar, the app list, the app's
// page (its actions, address, logs and error) and the members table all fit.
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import { createUnbuildableApp, deleteAppThroughApi, signUpInDashboard } from './journeys';
import { platform } from './platform';

const phone = { width: 390, height: 844 };

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  // Pages fill in after the first paint (polling, logs): measure once they are settled.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // A string, because the journeys are type-checked without the DOM's types.
  const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
  expect(width, `${page.url()} is ${width} px wide at a ${phone.width} px viewport`).toBeLessThanOrEqual(
    phone.width,
  );
}

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

test('at 390 px wide no page of the dashboard scrolls sideways', async ({ browser }) => {
  const suffix = randomUUID().slice(0, 8);
  // Long names are where narrow layouts break: a long email (the workspace is named after it) and
  // a long app name.
  const email = `a-data-scientist-with-a-long-name-${suffix}@example.com`;
  const appName = `long-app-name-for-a-phone-${suffix}`;
  const context = await browser.newContext({ viewport: phone });
  const page = await context.newPage();

  await step('sign-in and sign-up pages', async () => {
    await page.goto(`${platform.dashboardUrl}/login`);
    await expect(page.getByRole('heading', { name: 'Sign in to Cove' })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await signUpInDashboard(page, email);
  });

  await step('the app list, with an app', async () => {
    await createUnbuildableApp(page, git, appName);
    await page.reload();
    await expect(page.getByRole('link', { name: appName, exact: true })).toBeVisible();
    await expect(page.getByTestId('app-last-deploy')).toHaveText(/^(Not deployed yet|Deployed .+)$/);
    await expectNoSidewaysScroll(page);
    // The search box keeps the apps whose name or repository match.
    await page.getByLabel('Find an app').fill('no-such-thing');
    await expect(page.getByText('No app matches no-such-thing.')).toBeVisible();
    await expect(page.getByRole('link', { name: appName, exact: true })).toHaveCount(0);
    await page.getByLabel('Find an app').fill(suffix.toUpperCase());
    await expect(page.getByRole('link', { name: appName, exact: true })).toBeVisible();
  });

  await step("the app's page", async () => {
    await page.getByRole('link', { name: appName, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(appName);
    await expectNoSidewaysScroll(page);
  });

  await step('the new-app form', async () => {
    await page.goto(`${platform.dashboardUrl}/apps/new`);
    await expect(page.getByLabel(/repository url/i)).toBeVisible();
    await expectNoSidewaysScroll(page);
  });

  await step('the workspace page', async () => {
    await page.goto(`${platform.dashboardUrl}/workspace`);
    await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();
    await expectNoSidewaysScroll(page);
  });

  await step('the API tokens page, with a token', async () => {
    await page.goto(`${platform.dashboardUrl}/tokens`);
    await page.getByLabel('Name', { exact: true }).fill(`a token with a long name for ${suffix}`);
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(
      page.getByRole('cell', { name: `a token with a long name for ${suffix}`, exact: true }),
    ).toBeVisible();
    await expectNoSidewaysScroll(page);
  });

  await step('clean up', async () => {
    await deleteAppThroughApi(page, appName);
  });
  await context.close();
});
