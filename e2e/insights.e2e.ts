// The app page's Insights tab as its owner reads it: a viewer opens the app twice in one browser
// and leaves; the tab then counts two views, one viewer and one session, charts them with a table
// of the same days, and charts the app's memory against its limit, all within a phone's width.
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { type GitServer, startGitServer } from '../services/shared/src/testing/git-server';
import { expect, step, test } from './fixtures';
import { createAppFromGit, deleteAppThroughApi, openAppTab, signUpInDashboard } from './journeys';
import { platform } from './platform';

const appSource = `import streamlit as st

st.title("Counted journey")
`;
const phone = { width: 390, height: 844 };
// The builder rolls the proxy's counters up every minute and samples every half minute.
const rolledUpWithinMs = 180_000;

let git: GitServer;
test.beforeAll(async () => {
  git = await startGitServer();
});
test.afterAll(async () => {
  await git.close();
});

async function totalOf(page: Page, label: string): Promise<string> {
  const totals = page.getByTestId('analytics-totals');
  return (
    (await totals
      .locator('div', { has: page.getByText(label, { exact: true }) })
      .locator('dd')
      .textContent()) ?? ''
  );
}

test("views, viewers, sessions and memory on the app's Insights tab", async ({ browser }) => {
  const suffix = randomUUID().slice(0, 8);
  const appName = `counted-${suffix}`;
  await git.createRepo(appName, { 'streamlit_app.py': appSource });
  const owner = await browser.newContext();
  const page = await owner.newPage();

  await step('sign up and deploy an app', async () => {
    await signUpInDashboard(page, `insights-${suffix}@example.com`);
    await createAppFromGit(page, git.repoUrl(appName), appName);
    await expect(page.getByTestId('app-status')).toHaveText(/running/i, { timeout: 240_000 });
  });

  await step('a visitor opens the app twice and leaves', async () => {
    const visitor = await browser.newContext();
    const appPage = await visitor.newPage();
    for (let visit = 0; visit < 2; visit += 1) {
      await appPage.goto(platform.appUrl(appName));
      await expect(appPage.getByRole('heading', { name: 'Counted journey' })).toBeVisible({
        timeout: 60_000,
      });
    }
    await visitor.close();
  });

  await step('the Insights tab counts two views, one viewer and one session or more', async () => {
    await openAppTab(page, 'Insights');
    await expect(page).toHaveURL(/\?tab=insights$/);
    await expect
      .poll(
        async () => {
          await page.reload();
          await expect(page.getByTestId('analytics-totals')).toBeVisible();
          return `${await totalOf(page, 'Views')} / ${await totalOf(page, 'Unique viewers')}`;
        },
        { timeout: rolledUpWithinMs, intervals: [5_000] },
      )
      .toBe('2 / 1');
    await expect
      .poll(async () => Number(await totalOf(page, 'Sessions')), { timeout: rolledUpWithinMs })
      .toBeGreaterThan(0);
    const chart = page.getByRole('img', { name: /Views and unique viewers per day/ });
    await expect(chart).toBeVisible();
    await page.getByTestId('analytics-card').getByText('Show as a table').click();
    await expect(page.getByTestId('views-table').locator('tbody tr').first()).toContainText(
      /\d{4}-\d{2}-\d{2}\s*2\s*1/,
    );
  });

  await step("the app's memory is charted against its limit", async () => {
    const memory = page.getByRole('img', { name: /Memory over the last 24 hours/ });
    await expect(memory).toBeVisible();
    await expect(page.getByTestId('memory-chart-limit')).toContainText('limit 768 MB');
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('memory-chart').locator('path.chart-line').count();
        },
        { timeout: rolledUpWithinMs, intervals: [5_000] },
      )
      .toBe(1);
  });

  await step('at 390 px wide the tab fits without scrolling sideways', async () => {
    await page.setViewportSize(phone);
    await page.reload();
    await expect(page.getByRole('img', { name: /Views and unique viewers per day/ })).toBeVisible();
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(width).toBeLessThanOrEqual(phone.width);
  });

  await deleteAppThroughApi(page, appName);
  await owner.close();
});
